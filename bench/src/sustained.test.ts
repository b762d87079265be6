import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShopResult } from './shop.js';
import { keptUp, keptUpWithin, searchSustained } from './sustained.js';

/**
 * A shop that places what is offered up to 400/s and makes ready up to 300/s; its p99 is 10 ms up to 100/s
 * and grows with the load from there (a queue that stands: the rates still match).
 */
const shopWithCapacity = (offered: number): ShopResult => {
  const placed = Math.min(offered, 400);
  const p99 = offered <= 100 ? 10 : offered;
  return {
    label: `probe-${offered}`,
    tills: 3,
    preparers: 2,
    offered,
    placedPerSecond: placed,
    readyPerSecond: Math.min(placed, 300),
    latencyMs: { count: 1, p50: 1, p95: 1, p99, p999: p99, max: p99 },
    usage: [],
  };
};

describe('the sustained-rate search', () => {
  it('kept up means the tills placed the load and the preparers made it ready', () => {
    assert.equal(keptUp(shopWithCapacity(250)), true);
    assert.equal(keptUp(shopWithCapacity(350)), false, 'preparers fell behind');
    assert.equal(
      keptUp({ ...shopWithCapacity(250), placedPerSecond: 200, readyPerSecond: 200 }),
      false,
      'tills fell behind',
    );
  });

  it('bisection finds the highest load kept up, to the ceiling / 2^probes', async () => {
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

  it('no probe kept up: the sustained rate is 0, not the ceiling', async () => {
    const found = await searchSustained(100, 3, (rate) =>
      Promise.resolve({ ...shopWithCapacity(rate), readyPerSecond: 0 }),
    );
    assert.equal(found.perSecond, 0);
  });

  it('kept up within a p99 needs both the rates and the p99', () => {
    const within20 = keptUpWithin(20);
    assert.equal(within20(shopWithCapacity(100)), true);
    assert.equal(within20(shopWithCapacity(250)), false, 'rates kept, p99 250 ms');
    assert.equal(within20({ ...shopWithCapacity(100), readyPerSecond: 50 }), false, 'p99 kept, rates not');
  });

  it('the latency-bounded search goes on from the rate search, below the rate it found', async () => {
    const rates = await searchSustained(1000, 6, (rate) => Promise.resolve(shopWithCapacity(rate)));
    const offered: number[] = [];
    const within = await searchSustained(
      1000,
      4,
      (rate) => {
        offered.push(rate);
        return Promise.resolve(shopWithCapacity(rate));
      },
      keptUpWithin(20),
      rates.probes,
    );
    // The rate search's lowest probe, 250/s, missed the p99: the search starts between 0 and 250.
    assert.deepEqual(offered, [125, 63, 94, 110]);
    assert.equal(within.perSecond, 94);
    assert.ok(within.perSecond <= rates.perSecond);
  });

  it('a known probe that passed is the floor of the next search', async () => {
    const known = [shopWithCapacity(80), shopWithCapacity(200)];
    const offered: number[] = [];
    await searchSustained(
      1000,
      1,
      (rate) => {
        offered.push(rate);
        return Promise.resolve(shopWithCapacity(rate));
      },
      keptUpWithin(20),
      known,
    );
    assert.deepEqual(offered, [140], 'between 80 (passed) and 200 (missed the p99)');
  });

  it('the search stops once the interval is down to one order/s', async () => {
    let runs = 0;
    const found = await searchSustained(4, 10, (rate) => {
      runs += 1;
      return Promise.resolve(shopWithCapacity(rate));
    });
    // 2 and 3 kept up; between 3 and the ceiling of 4 there is no whole rate left to try.
    assert.equal(found.perSecond, 3);
    assert.equal(runs, 2);
  });
});
