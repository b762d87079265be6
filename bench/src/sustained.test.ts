import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ShopResult } from './shop.js';
import { keptUp, searchSustained } from './sustained.js';

/** A shop that places what is offered up to 400/s and makes ready up to 300/s. */
const shopWithCapacity = (offered: number): ShopResult => {
  const placed = Math.min(offered, 400);
  return {
    label: `probe-${offered}`,
    tills: 3,
    preparers: 2,
    offered,
    placedPerSecond: placed,
    readyPerSecond: Math.min(placed, 300),
    latencyMs: { count: 1, p50: 1, p95: 1, p99: 1, max: 1 },
    usage: [],
  };
};

test('kept up means the tills placed the load and the preparers made it ready', () => {
  assert.equal(keptUp(shopWithCapacity(250)), true);
  assert.equal(keptUp(shopWithCapacity(350)), false, 'preparers fell behind');
  assert.equal(
    keptUp({ ...shopWithCapacity(250), placedPerSecond: 200, readyPerSecond: 200 }),
    false,
    'tills fell behind',
  );
});

test('bisection finds the highest load kept up, to the ceiling / 2^probes', async () => {
  const offered: number[] = [];
  const found = await searchSustained(1000, 6, (rate) => {
    offered.push(rate);
    return Promise.resolve(shopWithCapacity(rate));
  });
  assert.deepEqual(offered, [500, 250, 375, 313, 344, 329]);
  // 313 offered, 300 ready: within the 5 % allowed; 329 is not.
  assert.equal(found.perSecond, 313);
  assert.equal(found.probes.length, 6);
});

test('no probe kept up: the sustained rate is 0, not the ceiling', async () => {
  const found = await searchSustained(100, 3, (rate) =>
    Promise.resolve({ ...shopWithCapacity(rate), readyPerSecond: 0 }),
  );
  assert.equal(found.perSecond, 0);
});
