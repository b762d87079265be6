import { noPortions, type Portions } from '@chippy/messaging';

/** The items the cook keeps stocked; plaice is only ever cooked to order. */
export const stockedItems = ['cod', 'chips'] as const;
export type StockedItem = (typeof stockedItems)[number];
export type Stock = Record<StockedItem, number>;

export interface StockLevels {
  /** What a batch of cod or chips brings the cabinet up to. */
  target: Stock;
  /** Below this the restock wake-up fries a batch. */
  lowWater: Stock;
}

/**
 * What to fry for a cook request. Plaice: exactly what the preparer was short of (`short` comes off the wire,
 * so unknown items are ignored and negative counts read as 0). Cod and chips: only what the order still
 * lacks now — an earlier batch may have filled the cabinet since the preparer looked, and then nothing
 * needs frying — brought up to the target (the talk's "rounding up"), never less than the lack.
 */
export function requestBatch(
  short: Record<string, number>,
  need: Portions,
  levels: Portions,
  target: Stock,
): Portions {
  const batch = noPortions();
  batch.plaice = Math.max(0, short.plaice ?? 0);
  for (const item of stockedItems) {
    const lacking = need[item] - levels[item];
    if (lacking > 0) batch[item] = Math.max(lacking, target[item] - levels[item]);
  }
  return batch;
}

/** What to fry on a restock wake-up: cod and chips below their low-water mark, up to the target. */
export function restockBatch(levels: Portions, { target, lowWater }: StockLevels): Portions {
  const batch = noPortions();
  for (const item of stockedItems) {
    if (levels[item] < lowWater[item]) batch[item] = target[item] - levels[item];
  }
  return batch;
}

/** The items of a batch that are actually fried, as messages and logs show it. */
export function nonZero(batch: Portions): Record<string, number> {
  return Object.fromEntries(Object.entries(batch).filter(([, n]) => n > 0));
}
