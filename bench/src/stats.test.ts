import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drainWindowEnd, percentile, perTillRate, rateIn, ratio, summarize } from './stats.js';

describe('the bench statistics', () => {
  it('nearest-rank percentiles pick real samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
    assert.equal(percentile([7], 99), 7);
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    assert.equal(percentile(thousand, 99.9), 999, 'not pushed to the max by floating point');
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('summarize sorts and reports the max', () => {
    assert.deepEqual(summarize([5, 1, 4, 2, 3]), { count: 5, p50: 3, p95: 5, p99: 5, p999: 5, max: 5 });
    assert.equal(summarize(Array.from({ length: 1000 }, (_, i) => 1000 - i)).p999, 999);
    assert.equal(summarize([]).count, 0);
  });

  it('rateIn counts timestamps in a half-open window', () => {
    assert.equal(rateIn([0, 500, 999, 1000, 1500], 0, 1000), 3);
    assert.equal(rateIn([0, 1000, 2000, 3000], 1000, 3000), 1);
    assert.ok(Number.isNaN(rateIn([1], 5, 5)));
  });

  it('ratio is NaN for missing figures', () => {
    assert.equal(ratio(1, 4), 0.25);
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(Number.NaN, 2)));
  });

  it('perTillRate splits the offered load over the tills', () => {
    assert.equal(perTillRate(300, 3), 100);
    assert.equal(perTillRate(1, 3), 1);
    assert.throws(() => perTillRate(10, 0));
  });

  it('a drain is measured to the window end, or to its last order when it emptied the backlog sooner', () => {
    const window = { from: 1000, to: 11_000 };
    assert.equal(drainWindowEnd([2000, 3000], 5, window, 3), 11_000, 'backlog left: the whole window');
    assert.equal(drainWindowEnd([2000, 6000, 5000], 3, window, 3), 6000, 'emptied 5 s in: measured to then');
    assert.equal(drainWindowEnd([2000, 12_000, 5000], 3, window, 3), 11_000, 'emptied after the window');
    assert.equal(
      drainWindowEnd([1500, 2000], 2, window, 3),
      undefined,
      'emptied 1 s in: too short to measure',
    );
    const million = Array.from({ length: 1_200_000 }, (_, i) => 1000 + i / 200);
    assert.equal(drainWindowEnd(million, million.length, window, 3), 1000 + (million.length - 1) / 200);
  });
});
