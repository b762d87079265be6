import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLatencyWindow } from './latency.js';

describe('createLatencyWindow', () => {
  it('median and 95th percentile of the orders made ready in the window', () => {
    let clock = 100_000;
    const window = createLatencyWindow(60_000, () => clock);
    assert.deepEqual(window.stats(), { windowSeconds: 60, count: 0, p50: null, p95: null });
    // 20 orders ready at 99 s, taking 1..20 s.
    for (let s = 1; s <= 20; s++) window.add(99_000 - s * 1000, 99_000);
    assert.deepEqual(window.stats(), { windowSeconds: 60, count: 20, p50: 10, p95: 19 });
    clock = 158_999;
    assert.equal(window.stats().count, 20, 'still within the minute');
    clock = 159_001;
    assert.deepEqual(window.stats(), { windowSeconds: 60, count: 0, p50: null, p95: null });
  });

  it('at most maxSamples are kept, the newest', () => {
    const window = createLatencyWindow(60_000, () => 10_000, 10);
    // The i-th order waited i × 10 ms; the newest ten waited 0.15 … 0.24 s.
    for (let i = 0; i < 25; i++) window.add(9_000 - i * 10, 9_000);
    const stats = window.stats();
    assert.equal(stats.count, 10);
    assert.equal(stats.p50, 0.19);
  });
});
