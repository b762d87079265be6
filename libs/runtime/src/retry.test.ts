import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from './testing/logs.js';
import { retry } from './retry.js';

function failing(times: number) {
  let calls = 0;
  return {
    fn: () => (++calls <= times ? Promise.reject(new Error(`failure ${calls}`)) : Promise.resolve(calls)),
    calls: () => calls,
  };
}

describe('retry', () => {
  it('retries until it works, logging each failure', async () => {
    const { logger, lines } = captureLogger();
    const { fn, calls } = failing(2);
    assert.equal(await retry('connecting to the cabinet', fn, { logger, minMs: 1, maxMs: 5 }), 3);
    assert.equal(calls(), 3);
    const warnings = lines.filter((line) => line.level === 'warn');
    assert.equal(warnings.length, 2);
    assert.match(String(warnings[0]?.msg), /^connecting to the cabinet failed, retrying in \d+ ms$/);
    assert.equal(warnings[1]?.err, 'failure 2');
  });

  it('gives up after `retries` or on errors it should not retry', async () => {
    const { logger } = captureLogger();
    await assert.rejects(retry('x', failing(5).fn, { logger, minMs: 1, retries: 2 }), /failure 3/);
    const permanent = failing(5);
    await assert.rejects(retry('x', permanent.fn, { logger, shouldRetry: () => false }), /failure 1/);
    assert.equal(permanent.calls(), 1);
  });

  it('stops when the signal aborts', async () => {
    const { logger } = captureLogger();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await assert.rejects(
      retry('x', failing(Infinity).fn, { logger, signal: controller.signal, minMs: 10_000 }),
      /shutting down/,
    );
    assert.ok(Date.now() - started < 1000);
  });
});
