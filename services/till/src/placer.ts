import type { Order } from '@chippy/shop';
import { lingeringSender } from './linger.js';

/** One order as a message on `orders`: keyed by order_id (the sink and the ledger rely on it). */
export interface OrderMessage {
  key: string;
  value: Buffer;
  /** Set with --partition-by till; otherwise the partitioner chooses by key. */
  partition: number | undefined;
}

export interface PlacerOptions {
  /** Puts the messages on `orders`; resolves once Kafka has acknowledged them all. */
  send: (messages: OrderMessage[]) => Promise<void>;
  encode: (order: Order) => Promise<Buffer>;
  partition: number | undefined;
  /** Batch the sends (under --rate, a load) rather than send each order alone and wait for it. */
  batched: boolean;
  /** The order is safely in Kafka. */
  onPlaced: (order: Order) => void;
  /** A batched send failed: the order is not in Kafka, and the till should stop. */
  onFailed: (order: Order, error: unknown) => void;
}

export interface Placer {
  place(order: Order): Promise<void>;
  /** Resolves once every order placed so far has been sent (or failed). */
  drain(): Promise<void>;
}

/** Orders a till may hold unsent before `place` waits for its batch: a few batches' worth. */
const maxUnsent = 2_000;

/**
 * How the till's orders reach Kafka. At the till's own pace each order is sent alone and awaited (the
 * demo: one customer at a time). Batched, orders share sends as the Java producer's linger.ms does: each
 * waits up to 5 ms for others, one send in flight, and an order counts as placed once its batch is
 * acknowledged.
 */
export function orderPlacer(options: PlacerOptions): Placer {
  const { send, encode, partition, onPlaced, onFailed } = options;
  const message = async (order: Order): Promise<OrderMessage> => ({
    key: order.order_id,
    value: await encode(order),
    partition,
  });
  const lingering = lingeringSender<OrderMessage>(send, { lingerMs: 5, maxBatch: 500 });
  return {
    async place(order) {
      if (!options.batched) {
        await send([await message(order)]);
        onPlaced(order);
        return;
      }
      const sent = lingering.add(await message(order)).then(() => onPlaced(order));
      sent.catch((error: unknown) => onFailed(order, error));
      // Back-pressure: a till never holds more than a few batches unsent.
      if (lingering.pending >= maxUnsent) await sent;
    },
    drain: () => lingering.drain(),
  };
}
