import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDemand } from './demand.js';

describe('createDemand', () => {
  it('demand is the change of the taken totals over the window', () => {
    const demand = createDemand(30_000);
    assert.deepEqual(demand.rate(), { cod: 0, chips: 0 }, 'nothing seen yet');
    demand.observe(0, { cod: 0, chips: 0 });
    demand.observe(10_000, { cod: 20, chips: 36 });
    assert.deepEqual(demand.rate(), { cod: 2, chips: 3.6 });
    // 50 s on: the window keeps one sample at or before its start (20 s), so it spans 30 s.
    demand.observe(20_000, { cod: 40, chips: 72 });
    demand.observe(50_000, { cod: 70, chips: 102 });
    assert.deepEqual(demand.rate(), { cod: 1, chips: 1 });
  });

  it('totals that go down (Redis lost them) start the window again', () => {
    const demand = createDemand(30_000);
    demand.observe(0, { cod: 100, chips: 100 });
    demand.observe(5_000, { cod: 110, chips: 120 });
    demand.observe(6_000, { cod: 0, chips: 0 });
    assert.deepEqual(demand.rate(), { cod: 0, chips: 0 });
    demand.observe(8_000, { cod: 4, chips: 6 });
    assert.deepEqual(demand.rate(), { cod: 2, chips: 3 });
  });
});
