// `npm start` as a user runs it, for a minute at demo pace: the shop comes up on the native stack, every
// service starts, orders get ready, Ctrl-C stops it with exit 0 — and not one ERROR line is printed, since
// a rebalance, a rejoin or a topic another service just created is normal, not something for a person.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectApi } from '@chippy/connectors';
import { endpoints as nativeEndpoints } from '@chippy/local-stack';
import { repoRoot } from '@chippy/dev-utils';
import { dropDatabases, isolatedDatabase } from './harness/database.js';
import { endpointsFromEnv } from './harness/endpoints.js';
import { outputDir } from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';

describe('npm start', () => {
  after(async () => {
    await deleteShops();
    await dropDatabases();
  });

  const onNativeStack = endpointsFromEnv().KAFKA_SERVICE_URI === nativeEndpoints.KAFKA_SERVICE_URI;

  it(
    'a minute of `npm start`: orders get ready, Ctrl-C exits 0, and no ERROR line',
    { skip: onNativeStack ? false : '`npm start` runs the native stack; these endpoints are another stack' },
    async () => {
      const shop = isolatedShop('start');
      const db = await isolatedDatabase('start');
      // The user's environment: no KAFKA_SERVICE_URI, so `npm start` brings up (here: finds) the native stack.
      const { KAFKA_SERVICE_URI: _k, ...userEnv } = process.env;
      const child = spawn(process.execPath, [path.join(repoRoot, 'deploy/local/dist/shop.js')], {
        cwd: repoRoot,
        env: { ...userEnv, TOPIC_PREFIX: shop.prefix, DATABASE_URL: db.url, FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const transcript = createWriteStream(path.join(outputDir, 'npm-start.log'));
      const lines: string[] = [];
      const collect = (chunk: Buffer) => {
        transcript.write(chunk);
        lines.push(...chunk.toString().split('\n').filter(Boolean));
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await sleep(60_000);
        child.kill('SIGINT');
        assert.equal(await exited, 0, 'Ctrl-C stops the shop with exit 0');
      } finally {
        child.kill('SIGKILL');
        transcript.end();
        await connectApi(nativeEndpoints.CONNECT_URL)
          .remove(`${shop.prefix}chippy-orders-sink`)
          .catch(() => undefined);
      }
      const errors = lines.filter((line) => /\bERROR\b|\bFATAL\b/.test(line));
      assert.deepEqual(errors, [], 'no ERROR line in a clean start (test-output/npm-start.log)');
      const placed = lines.filter((line) => line.includes('order placed')).length;
      const ready = lines.filter((line) => line.includes('order ready')).length;
      assert.ok(placed >= 100, `three tills place about 140 orders a minute (placed ${placed})`);
      assert.ok(ready >= placed - 40, `the shop keeps up (placed ${placed}, ready ${ready})`);
    },
  );
});
