import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { redisCabinet } from './cabinet.js';

/** A Redis stand-in that records script calls; `cached` says whether EVALSHA finds the script. */
function fakeRedis(cached: boolean) {
  const calls: string[] = [];
  const redis = {
    evalsha: (sha: string, ...args: unknown[]) => {
      calls.push(`evalsha ${sha.length} ${args.length}`);
      return cached
        ? Promise.resolve([['taken']])
        : Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    },
    eval: (script: string, ...args: unknown[]) => {
      calls.push(`eval ${script.includes("redis.call('HGET'")} ${args.length}`);
      return Promise.resolve([['taken']]);
    },
  };
  return { redis: redis as unknown as Redis, calls };
}

const portions = { cod: 1, chips: 1, plaice: 0 };

describe('redisCabinet', () => {
  it('take runs the script by its SHA1 when Redis has it', async () => {
    const { redis, calls } = fakeRedis(true);
    assert.deepEqual(await redisCabinet(redis, 'p-').take('o1', portions), { outcome: 'taken' });
    // 3 keys + their count + the TTL, ledger mode, since, preparer, lease, the item count, three names, three amounts.
    assert.deepEqual(calls, ['evalsha 40 16']);
  });

  it('take sends the script text once Redis says NOSCRIPT', async () => {
    const { redis, calls } = fakeRedis(false);
    assert.deepEqual(await redisCabinet(redis, 'p-').take('o1', portions), { outcome: 'taken' });
    assert.deepEqual(calls, ['evalsha 40 16', 'eval true 16']);
  });

  it('other script errors are not retried with EVAL', async () => {
    const redis = {
      evalsha: () => Promise.reject(new Error('ERR wrong number of arguments')),
      eval: () => assert.fail('must not fall back'),
    } as unknown as Redis;
    await assert.rejects(redisCabinet(redis, 'p-').take('o1', portions), /wrong number/);
  });
});
