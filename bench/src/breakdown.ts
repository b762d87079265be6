/**
 * Where a live order's time goes, stage by stage, from timestamps the messages already carry: the Order's
 * order_time, the `orders` record's timestamp, the OrderReady's prepare_started and ready_time, the
 * `orders-ready` record's timestamp, and (if the bench read `orders-ready` during the run) when the bench's
 * own consumer had that record. Every stamp is
 * Date.now() in a process on this one machine (the tills, the preparers and the bench all run here, and
 * kafkajs stamps a record on the client's side), so they share one clock and no offset between clocks
 * enters a difference. Each is whole milliseconds, so a stage shorter than 1 ms shows as 0 or 1.
 */
import { summarize } from './stats.js';

/** One order's stamps, ms since the epoch. */
export interface OrderStamps {
  /** The preparer that handed it over (OrderReady.preparer). */
  preparer: string;
  /** Order.order_time: the till took the order. */
  orderTime: number;
  /**
   * The `orders` record's timestamp (CreateTime): kafkajs stamps a record when it encodes the produce
   * request that carries it, so after the till's linger and its wait for the send in flight before it.
   */
  created: number;
  /** OrderReady.prepare_started: the preparer had fetched and decoded it. */
  prepareStarted: number;
  /** OrderReady.ready_time: after the batch's Redis step. */
  readyTime: number;
  /** The `orders-ready` record's timestamp: the preparer's produce request for its batch was encoded. */
  sent: number;
  /** The bench's consumer had the record: only when it read `orders-ready` during the run. */
  received?: number;
}

/** A preparer's hand-over of one order, for finding the batch it sent before another order's. */
export type HandOver = Pick<OrderStamps, 'preparer' | 'readyTime' | 'sent'>;

/** The stages, in an order's own order, and what each covers (one line each on the page). */
export const stages = {
  till: {
    name: 'the till',
    span: "order_time → the `orders` record's timestamp",
    covers:
      "the till's linger (up to 5 ms for other orders to share its send), its wait for the send in flight before, and encoding",
  },
  toPreparer: {
    name: 'to the preparer',
    span: "the `orders` record's timestamp → prepare_started",
    covers:
      "the produce request's trip and append (acks=all), the wait for the preparer's next fetch, that fetch, and the order's decode",
  },
  behind: {
    name: '↳ behind the batch before',
    span: "the part of it before the preparer's previous batch was sent",
    covers:
      'the order was on its way or on the broker while its preparer still had the batch before it in hand (decoding it, in Redis, encoding it)',
  },
  afterSend: {
    name: '↳ after that send',
    span: 'the rest of it',
    covers:
      "the batch before's produce acknowledgement, its ledger write in Redis and its offset commit, then the preparer's next fetch and the decode; an order that finds its preparer idle spends here only its trip, append and the fetch's return",
  },
  redis: {
    name: 'the Redis step',
    span: 'prepare_started → ready_time',
    covers:
      "the ledger's take of the batch's portions in Redis (one round trip for the batch), after the rest of the batch's decode",
  },
  ready: {
    name: 'order_time → ready',
    span: 'order_time → ready_time',
    covers: 'the latency the goals judge: the stages above, added up',
  },
  handOver: {
    name: 'the hand-over',
    span: "ready_time → the `orders-ready` record's timestamp",
    covers: "encoding the batch's OrderReady messages and building the produce request",
  },
  toReader: {
    name: 'to a reader',
    span: "the `orders-ready` record's timestamp → the bench's consumer has it",
    covers:
      "the produce request's trip and append, and the bench's own fetch (the preparer's acknowledgement and commit are not in a reader's way)",
  },
  total: {
    name: 'order_time → read',
    span: "order_time → the bench's consumer has it",
    covers: 'what an analyst reading `orders-ready` sees',
  },
} as const;
export type Stage = keyof typeof stages;

/** One stage's figures over a run's orders, ms. */
export interface StageFigures {
  stage: Stage;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /**
   * The stage's mean over the slowest 1 % of the orders by order_time → ready: where the tail's time goes
   * (means add up, so these add up to the tail's own mean; percentiles do not).
   */
  tailMean: number;
}

export interface Breakdown {
  /** Orders of the window with every stamp. */
  orders: number;
  /** Orders of the window left out: no `orders` record found for them. */
  missing: number;
  stages: StageFigures[];
  /**
   * The `orders` topic's message.timestamp.type when it is not CreateTime (a cluster configured so): its
   * records then carry the broker's append time, which moves the line between the first two stages.
   */
  timestampType?: string;
}

/**
 * For each preparer, the `orders-ready` timestamp of the batch it handed over last before `prepareStarted`.
 * A preparer prepares one batch at a time (services/preparer/src/batches.ts, preparingLane), and every
 * order of a batch is ready only after the whole batch was picked up: so the batch before an order's is the
 * preparer's latest hand-over whose ready_time is earlier than the order's prepare_started. Sorted once.
 */
export function sentBefore(
  handOvers: readonly HandOver[],
): (preparer: string, at: number) => number | undefined {
  const byPreparer = new Map<string, HandOver[]>();
  for (const h of handOvers) {
    const list = byPreparer.get(h.preparer) ?? [];
    list.push(h);
    byPreparer.set(h.preparer, list);
  }
  // By ready time, then sent: of a batch whose readies straddle a millisecond, its last send stamp.
  for (const list of byPreparer.values()) list.sort((a, b) => a.readyTime - b.readyTime || a.sent - b.sent);
  return (preparer, at) => {
    const list = byPreparer.get(preparer) ?? [];
    let [lo, hi] = [0, list.length]; // the first hand-over with readyTime >= at
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.readyTime < at) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1]!.sent : undefined;
  };
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * Each stage's duration for one order, ms; `previousSent` is its preparer's batch before (sentBefore). The
 * reader's stages are NaN without a live reader's arrival.
 */
export function stageDurations(order: OrderStamps, previousSent: number | undefined): Record<Stage, number> {
  const toPreparer = order.prepareStarted - order.created;
  const behind = previousSent === undefined ? 0 : clamp(previousSent - order.created, 0, toPreparer);
  return {
    till: order.created - order.orderTime,
    toPreparer,
    behind,
    afterSend: toPreparer - behind,
    redis: order.readyTime - order.prepareStarted,
    ready: order.readyTime - order.orderTime,
    handOver: order.sent - order.readyTime,
    toReader: (order.received ?? Number.NaN) - order.sent,
    total: (order.received ?? Number.NaN) - order.orderTime,
  };
}

const mean = (values: readonly number[]) =>
  values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;

/**
 * The window's orders, stage by stage: mean, p50, p99, p99.9 and max of each (nearest rank, stats.ts), and
 * each stage's mean over the slowest 1 % by order_time → ready. `handOvers` are all the run's hand-overs
 * (the window's and those before it), to find each order's batch before. A stage no order has a figure
 * for (the reader's, without a live reader) is left out.
 */
export function breakdown(
  orders: readonly OrderStamps[],
  handOvers: readonly HandOver[],
  missing = 0,
): Breakdown {
  const before = sentBefore(handOvers);
  const durations = orders.map((o) => stageDurations(o, before(o.preparer, o.prepareStarted)));
  // By rank, not by value: in whole milliseconds many orders share the p99's value.
  const tail = [...durations].sort((a, b) => b.ready - a.ready).slice(0, Math.ceil(durations.length / 100));
  return {
    orders: orders.length,
    missing,
    stages: (Object.keys(stages) as Stage[]).flatMap((stage) => {
      const of = (list: typeof durations) => list.map((d) => d[stage]).filter(Number.isFinite);
      const samples = of(durations);
      if (samples.length === 0) return [];
      const { p50, p99, p999, max } = summarize(samples);
      return [{ stage, mean: mean(samples), p50, p99, p999, max, tailMean: mean(of(tail)) }];
    }),
  };
}
