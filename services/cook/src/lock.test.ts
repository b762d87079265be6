import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import { createLock } from './lock.js';

test('two jobs never run at once, and run in the order given', async () => {
  const lock = createLock();
  const events: string[] = [];
  let running = 0;
  const job = (name: string, ms: number) => async () => {
    running++;
    assert.equal(running, 1, `${name} overlapped another job`);
    events.push(`${name} start`);
    await wait(ms);
    events.push(`${name} end`);
    running--;
    return name;
  };
  const results = await Promise.all([lock(job('a', 20)), lock(job('b', 1)), lock(job('c', 5))]);
  assert.deepEqual(results, ['a', 'b', 'c']);
  assert.deepEqual(events, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
});

test('a failed job rejects its caller but does not block the next', async () => {
  const lock = createLock();
  await assert.rejects(
    lock(() => Promise.reject(new Error('fryer fire'))),
    /fryer fire/,
  );
  assert.equal(await lock(() => Promise.resolve('next')), 'next');
});
