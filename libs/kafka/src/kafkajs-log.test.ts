import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { logLevel } from 'kafkajs';
import { isKafkaJsNegativeTimeout, kafkaJsLevel, normalKafkaEvents } from './kafkajs-log.js';

describe("kafkajs's log", () => {
  it('a rebalance answer logged as an error by kafkajs is info', () => {
    const level = kafkaJsLevel(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', {
      error: 'The group is rebalancing, so a rejoin is needed',
    });
    assert.equal(level, logLevel.INFO);
    assert.equal(
      kafkaJsLevel(logLevel.ERROR, 'The coordinator is not aware of this member, re-joining the group', {}),
      logLevel.INFO,
    );
    assert.equal(kafkaJsLevel(logLevel.WARN, 'The group is rebalancing, re-joining', {}), logLevel.INFO);
    const createTopics = { error: 'Topic creation errors' }; // another service created the topic first
    assert.equal(
      kafkaJsLevel(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', createTopics),
      logLevel.INFO,
    );
  });

  it('real trouble stays an error', () => {
    assert.equal(
      kafkaJsLevel(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', {}),
      logLevel.ERROR,
    );
    assert.equal(
      kafkaJsLevel(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', {
        error: 'The request included a message larger than the max message size the server will accept',
      }),
      logLevel.ERROR,
    );
    assert.equal(kafkaJsLevel(logLevel.DEBUG, 'anything', {}), logLevel.DEBUG);
  });

  it("the messages are kafkajs's own, so an upgrade that changes them is caught here", () => {
    const require = createRequire(import.meta.url);
    const { errorCodes } = require('kafkajs/src/protocol/error.js') as {
      errorCodes: { type: string; message: string }[];
    };
    for (const [type, message] of Object.entries(normalKafkaEvents)) {
      assert.equal(errorCodes.find((e) => e.type === type)?.message, message, type);
    }
  });

  /** The stderr of a Node process that loads this module and then runs `code` (Node warns once per process). */
  function stderrAfterImport(code: string): string {
    const levels = new URL('./kafkajs-log.js', import.meta.url).href;
    const script = `await import(${JSON.stringify(levels)});\n${code}`;
    return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
    }).stderr;
  }

  it("kafkajs's negative throttle timer (kafkajs#1751) prints no TimeoutNegativeWarning; anyone else's still does", () => {
    const queue = `import { createRequire } from 'node:module';
    const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');
    const queue = new RequestQueue({ logger: { namespace: () => ({}) }, isConnected: () => true });
    queue.scheduleCheckPendingRequests();
    queue.destroy();`;
    assert.equal(stderrAfterImport(queue), '');
    assert.match(
      stderrAfterImport('clearTimeout(setTimeout(() => undefined, -5));'),
      /TimeoutNegativeWarning/,
    );
    const inKafkaJs = 'at x (/app/node_modules/kafkajs/src/a.js:1:1)';
    assert.equal(isKafkaJsNegativeTimeout('TimeoutNegativeWarning', inKafkaJs), true);
    assert.equal(isKafkaJsNegativeTimeout('DeprecationWarning', inKafkaJs), false);
    assert.equal(
      isKafkaJsNegativeTimeout('TimeoutNegativeWarning', 'at x (/app/services/till/dist/main.js:1:1)'),
      false,
    );
  });
});
