import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '@chippy/runtime';
import { cookMetrics } from './metrics.js';

const portions = (cod: number, chips: number, plaice: number) => ({ cod, chips, plaice });

async function series(metrics: ReturnType<typeof createMetrics>, name: string) {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, name);
  return Object.fromEntries((await metric.get()).values.map((v) => [String(v.labels.item ?? ''), v.value]));
}

describe('cookMetrics', () => {
  it('every item has a batch and portion series from the start; a batch counts only what it fried', async () => {
    const metrics = createMetrics('cook');
    const counted = cookMetrics(metrics);
    assert.deepEqual(await series(metrics, 'chippy_cook_batches_total'), { cod: 0, chips: 0, plaice: 0 });
    counted.fried(portions(10, 20, 0));
    counted.fried(portions(0, 5, 1));
    assert.deepEqual(await series(metrics, 'chippy_cook_batches_total'), { cod: 1, chips: 2, plaice: 1 });
    assert.deepEqual(await series(metrics, 'chippy_cook_portions_total'), { cod: 10, chips: 25, plaice: 1 });
  });

  it('a look at the cabinet sets the levels, the stock aimed for, the demand and the requests waiting', async () => {
    const metrics = createMetrics('cook');
    const counted = cookMetrics(metrics);
    counted.looked(
      portions(4, 9, 1),
      { target: { cod: 12, chips: 24 }, lowWater: { cod: 3, chips: 6 } },
      { cod: 0.5, chips: 1.5 },
      2,
    );
    assert.deepEqual(await series(metrics, 'chippy_cabinet_portions'), { cod: 4, chips: 9, plaice: 1 });
    assert.deepEqual(await series(metrics, 'chippy_cook_target_portions'), { cod: 12, chips: 24 });
    assert.deepEqual(await series(metrics, 'chippy_cook_low_water_portions'), { cod: 3, chips: 6 });
    assert.deepEqual(await series(metrics, 'chippy_cook_demand_portions_per_second'), {
      cod: 0.5,
      chips: 1.5,
    });
    assert.deepEqual(await series(metrics, 'chippy_cook_waiting_requests'), { '': 2 });
    counted.wasted(portions(2, 3, 0));
    assert.deepEqual(await series(metrics, 'chippy_cabinet_waste_portions'), { cod: 2, chips: 3, plaice: 0 });
  });
});
