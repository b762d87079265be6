import { noPortions, type Portions } from '@chippy/shop';

/** The items the cook keeps stocked; plaice is only ever cooked to order. */
export const stockedItems = ['cod', 'chips'] as const;
export type StockedItem = (typeof stockedItems)[number];
export type Stock = Record<StockedItem, number>;

/** The (s, S) levels of one moment: fry when below `lowWater`, and fry up to `target`. */
export interface StockLevels {
  /** What a batch brings the cabinet up to (portions not spoken for by waiting orders). */
  target: Stock;
  /** Below this a batch is fried, with or without a cook request. */
  lowWater: Stock;
}

/** The cook's standing rules; docs/architecture.md ("Keeping up") has the arithmetic behind them. */
export interface StockPolicy {
  /** The talk's standard levels: a batch never brings the cabinet up to less. */
  standard: Stock;
  /** The least low-water mark, whatever the demand. */
  minLowWater: Stock;
  /** Portions one batch can hold (cod, chips and plaice together). */
  capacity: number;
  /** The longest a batch takes, in real seconds (3.2 s × TIME_SCALE). */
  fryMaxSeconds: number;
  /** How long the cook may take to notice a low cabinet when it is not frying, in real seconds. */
  lookSeconds: number;
}

/** Headroom over the mean demand: sales come in bursts (a round of the three tills' dice). */
export const SAFETY = 1.5;

/**
 * Low-water and target levels for the demand observed (portions per real second). The low-water mark
 * covers what sells while the cook notices and fries (so the cabinet does not run dry meanwhile); the
 * target adds one more batch's worth of sales (so one batch lasts about one batch's time). Neither falls
 * below the standing rules.
 */
export function levelsFor(policy: StockPolicy, demand: Stock): StockLevels {
  const target = { cod: 0, chips: 0 };
  const lowWater = { cod: 0, chips: 0 };
  for (const item of stockedItems) {
    const cover = (seconds: number) => Math.ceil(demand[item] * seconds * SAFETY);
    lowWater[item] = Math.max(policy.minLowWater[item], cover(policy.fryMaxSeconds + policy.lookSeconds));
    target[item] = Math.max(policy.standard[item], lowWater[item] + cover(policy.fryMaxSeconds));
  }
  return { target, lowWater };
}

/** A cook request waiting for the fryer: the order's whole need and the plaice to fry for it. */
export interface Waiting {
  need: Portions;
  plaice: number;
}

export interface Plan {
  /** What to fry; all zeros: nothing (the waiting orders are answered at once). */
  batch: Portions;
  /** How many of the waiting requests, from the front, this batch answers; the rest wait for the next. */
  answers: number;
}

/**
 * One turn at the fryer. Plaice: exactly what the answered requests lack. Cod and chips: the cabinet less
 * what the answered orders will take is what is really there; when either is below its low-water mark,
 * or plaice is being fried anyway, both are brought up to their targets (one batch, not one per item).
 * A batch holds at most `capacity` portions: plaice for waiting orders first, then cod and chips in
 * proportion to what each lacks.
 */
export function planBatch(
  levels: Portions,
  waiting: readonly Waiting[],
  stock: StockLevels,
  capacity: number,
): Plan {
  const batch = noPortions();
  let answers = 0;
  for (const request of waiting) {
    if (batch.plaice + request.plaice > capacity && answers > 0) break;
    batch.plaice += request.plaice;
    answers++;
  }
  const reserved = noPortions();
  for (const { need } of waiting.slice(0, answers)) {
    for (const item of stockedItems) reserved[item] += need[item];
  }
  const lacking = { cod: 0, chips: 0 };
  let low = false;
  for (const item of stockedItems) {
    const available = levels[item] - reserved[item];
    lacking[item] = Math.max(0, stock.target[item] - available);
    low ||= available < stock.lowWater[item];
  }
  if (!low && batch.plaice === 0) return { batch, answers };
  const room = Math.max(0, capacity - batch.plaice);
  const wanted = lacking.cod + lacking.chips;
  const share = wanted > room ? room / wanted : 1;
  batch.cod = Math.floor(lacking.cod * share);
  batch.chips = Math.min(lacking.chips, room - batch.cod);
  return { batch, answers };
}

/** The items of a batch that are actually fried, as messages and logs show it. */
export function nonZero(batch: Portions): Record<string, number> {
  return Object.fromEntries(Object.entries(batch).filter(([, n]) => n > 0));
}
