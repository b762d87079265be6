import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Portions } from '@chippy/messaging';
import { fakeCabinet } from './fake-cabinet.js';
import { createLock } from './lock.js';
import { keepStocked, restock, type RestockDeps } from './restock.js';

const stock = { target: { cod: 10, chips: 20 }, lowWater: { cod: 3, chips: 6 } };

function deps(initial: Partial<Portions>) {
  const seen: Portions[] = [];
  const cabinet = fakeCabinet(initial);
  const d: RestockDeps = {
    timeScale: 0,
    cabinet,
    fryer: createLock(),
    stock,
    onLevels: (levels) => void seen.push(levels),
  };
  return { d, cabinet, seen };
}

test('a restock tops up what is below its low-water mark and reports the levels it saw', async () => {
  const { d, cabinet, seen } = deps({ cod: 2, chips: 7, plaice: 1 });
  assert.deepEqual(await restock(d), { cod: 8, chips: 0, plaice: 0 });
  assert.deepEqual(cabinet.now, { cod: 10, chips: 7, plaice: 1 });
  assert.deepEqual(seen, [{ cod: 2, chips: 7, plaice: 1 }]);
});

test('a well-stocked cabinet is left alone', async () => {
  const { d, cabinet } = deps({ cod: 3, chips: 6 });
  assert.equal(await restock(d), undefined);
  assert.deepEqual(cabinet.now, { cod: 3, chips: 6, plaice: 0 });
});

test('the restock loop wakes, restocks and stops when aborted', async () => {
  const { d, cabinet } = deps({});
  const controller = new AbortController();
  const restocked: Portions[] = [];
  const loop = keepStocked(d, {
    intervalMs: 1,
    signal: controller.signal,
    onRestocked: (batch) => {
      restocked.push(batch);
      controller.abort();
    },
    onError: (error) => assert.fail(String(error)),
  });
  await loop;
  assert.deepEqual(restocked, [{ cod: 10, chips: 20, plaice: 0 }]);
  assert.deepEqual(cabinet.now, { cod: 10, chips: 20, plaice: 0 });
});
