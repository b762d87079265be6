import type { Portions } from '@chippy/shop';
import { startingPart, type Part } from './part.js';
import type { LatencyStats } from './latency.js';
import type { Preparers } from './shop-view.js';
import type { Totals } from './totals.js';

/** What /api/summary answers and /api/events pushes: the shop at a glance. */
export interface Summary {
  /** When any part last changed (ISO 8601). */
  updatedAt: string;
  /** SUMMARY_INTERVAL, so the page can tell a quiet shop from a stopped summary. */
  intervalSeconds: number;
  /** From PostgreSQL (the JDBC sink's copy of `orders`). */
  totals: Part<Totals>;
  /** The hot cabinet's levels, from Redis. */
  cabinet: Part<Portions>;
  /** The `preparers` consumer group and the topics' offsets, from the Kafka admin API. */
  preparers: Part<Preparers>;
  /** Order latency over the last minute, from the orders made ready on `orders-ready`. */
  latency: Part<LatencyStats>;
}

export type PartName = 'totals' | 'cabinet' | 'preparers' | 'latency';
/** What a part holds when it has been read, e.g. `Totals` for 'totals'. */
export type DataOf<K extends PartName> = NonNullable<Summary[K]['data']>;

export interface Board {
  current(): Summary;
  set<K extends PartName>(name: K, part: Part<DataOf<K>>): void;
}

/**
 * Holds the latest of each part and tells `onChange` about changes. Changes that arrive within `settleMs`
 * of each other (sources read at about the same moment) are passed on once, so a browser gets fewer,
 * complete events rather than one per source.
 */
export function createBoard({
  intervalSeconds,
  onChange,
  settleMs = 100,
  now = () => new Date(),
}: {
  intervalSeconds: number;
  onChange: (summary: Summary) => void;
  settleMs?: number;
  now?: () => Date;
}): Board {
  let summary: Summary = {
    updatedAt: now().toISOString(),
    intervalSeconds,
    totals: startingPart(),
    cabinet: startingPart(),
    preparers: startingPart(),
    latency: startingPart(),
  };
  let pending: NodeJS.Timeout | undefined;
  return {
    current: () => summary,
    set(name, part) {
      summary = { ...summary, [name]: part, updatedAt: now().toISOString() };
      pending ??= setTimeout(() => {
        pending = undefined;
        onChange(summary);
      }, settleMs);
    },
  };
}
