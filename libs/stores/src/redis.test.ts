import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { closeRedis, redisReady } from './redis.js';

/** Just enough of an ioredis client: a status, connect, and the events. */
function fakeRedis(status: string) {
  const emitter = new EventEmitter() as EventEmitter & {
    status: string;
    connect(): Promise<void>;
    connects: number;
  };
  emitter.status = status;
  emitter.connects = 0;
  emitter.connect = () => {
    emitter.connects += 1;
    return Promise.reject(new Error('connect ECONNREFUSED'));
  };
  return emitter;
}

describe('redisReady', () => {
  it('waits through connection errors until the client is ready, connecting once', async () => {
    const redis = fakeRedis('wait');
    redis.on('error', () => undefined);
    let resolved = false;
    const waiting = redisReady(redis as unknown as Redis).then(() => (resolved = true));
    redis.emit('error', new Error('connect ECONNREFUSED'));
    redis.status = 'reconnecting';
    redis.emit('error', new Error('connect ECONNREFUSED'));
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false);
    redis.emit('ready');
    await waiting;
    assert.equal(redis.connects, 1);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const waiting = redisReady(fakeRedis('reconnecting') as unknown as Redis, controller.signal);
    controller.abort(new Error('shutting down'));
    await assert.rejects(waiting, /shutting down/);
  });
});

describe('closeRedis', () => {
  it('quits a connected client and drops one that is still connecting', async () => {
    const calls: string[] = [];
    const client = (status: string) =>
      ({
        status,
        quit: () => Promise.resolve(void calls.push(`quit ${status}`)),
        disconnect: () => void calls.push(`disconnect ${status}`),
      }) as unknown as Redis;
    await closeRedis(client('ready'));
    await closeRedis(client('reconnecting'));
    await closeRedis(client('end'));
    assert.deepEqual(calls, ['quit ready', 'disconnect reconnecting']);
  });
});
