import type { Metrics } from '@chippy/runtime';
import { cabinetItems, type Portions } from '@chippy/shop';
import { stockedItems } from './stock-policy.js';
import type { KitchenDeps } from './kitchen.js';

/** The cook's metrics, as the kitchen and the end of the day update them. */
export interface CookMetrics {
  /** Each look at the cabinet: the levels seen and aimed for, the demand, the requests waiting. */
  looked: NonNullable<KitchenDeps['onLook']>;
  /** A batch put in the cabinet. */
  fried: (batch: Portions) => void;
  /** What was left in the cabinet at close. */
  wasted: (left: Portions) => void;
}

export function cookMetrics(metrics: Pick<Metrics, 'counter' | 'gauge'>): CookMetrics {
  const perItem = {
    counter: (name: string, help: string) => metrics.counter(name, help, ['item']),
    gauge: (name: string, help: string) => metrics.gauge(name, help, ['item']),
  };
  const batches = perItem.counter('chippy_cook_batches_total', 'Batches put in the cabinet, per item');
  const portions = perItem.counter('chippy_cook_portions_total', 'Portions put in the cabinet');
  const cabinetPortions = perItem.gauge(
    'chippy_cabinet_portions',
    'Portions in the cabinet when the cook last looked',
  );
  const targetPortions = perItem.gauge(
    'chippy_cook_target_portions',
    'What a batch brings the cabinet up to, for the demand observed',
  );
  const lowWaterPortions = perItem.gauge(
    'chippy_cook_low_water_portions',
    'Below this the cook fries, for the demand observed',
  );
  const demandRate = perItem.gauge(
    'chippy_cook_demand_portions_per_second',
    'Portions the preparers took per second over the last 30 s',
  );
  const waitingRequests = metrics.gauge(
    'chippy_cook_waiting_requests',
    'Cook requests waiting for the fryer',
  );
  const waste = perItem.gauge('chippy_cabinet_waste_portions', 'Portions left in the cabinet at close');
  // Every item has a series from the start, so totals can be compared with Redis before the first batch.
  for (const item of cabinetItems) {
    batches.inc({ item }, 0);
    portions.inc({ item }, 0);
  }

  return {
    looked(levels, stock, demand, waiting) {
      for (const item of cabinetItems) cabinetPortions.set({ item }, levels[item]);
      for (const item of stockedItems) {
        targetPortions.set({ item }, stock.target[item]);
        lowWaterPortions.set({ item }, stock.lowWater[item]);
        demandRate.set({ item }, demand[item]);
      }
      waitingRequests.set(waiting);
    },
    fried(batch) {
      for (const item of cabinetItems) {
        if (batch[item] === 0) continue;
        batches.inc({ item });
        portions.inc({ item }, batch[item]);
      }
    },
    wasted(left) {
      for (const item of cabinetItems) waste.set({ item }, left[item]);
    },
  };
}
