import { DecodeError, scaledDelay, sleep, type Order, type OrderReady } from '@chippy/messaging';
import type { OrderLedger } from './ledger.js';

/** A message from `orders` as the preparer sees it. */
export interface OrderMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface PreparerDeps {
  preparerId: string;
  timeScale: number;
  decode(value: Buffer | null): Promise<Order>;
  ledger: OrderLedger;
  /** Puts the OrderReady on `orders-ready`; resolves once Kafka has acknowledged it. */
  handOver(ready: OrderReady): Promise<void>;
  /** Whether an OrderReady for this order reached `orders-ready` at or after `since` (recovery only). */
  alreadyHandedOver(orderId: string, since: number): Promise<boolean>;
  /** Parks a message that can never be prepared. */
  deadLetter(message: OrderMessage, reason: string, error: string): Promise<void>;
  /** Called once per order handed over. */
  onReady?(ready: OrderReady): void;
  now?: () => number;
  random?: () => number;
}

export type Outcome = 'prepared' | 'duplicate' | 'dead-lettered';

/**
 * Prepares one order from the `orders` topic: decode it, skip it if it was already handed over, take the
 * preparing time, hand it over, and record that it was. The caller commits the offset only after this
 * resolves, so a crash at any point means redelivery, and the ledger makes redelivery harmless.
 */
export async function prepareOrder(message: OrderMessage, deps: PreparerDeps): Promise<Outcome> {
  const { now = Date.now, random = Math.random } = deps;
  let order: Order;
  try {
    order = await deps.decode(message.value);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error; // e.g. the registry is unreachable: retry, don't park
    await deps.deadLetter(message, error.reason, error.message);
    return 'dead-lettered';
  }

  const known = await deps.ledger.get(order.order_id);
  if (known.state === 'ready') return 'duplicate';
  if (known.state === 'sending' && (await deps.alreadyHandedOver(order.order_id, known.since))) {
    await deps.ledger.markReady(order.order_id);
    return 'duplicate';
  }

  const started = now();
  // In-flight work is finished even during shutdown: it is at most one order's preparing time.
  await sleep(scaledDelay(0.5, 1.0, deps.timeScale, random));
  const ready: OrderReady = {
    ...order,
    preparer: deps.preparerId,
    prepare_started: started,
    ready_time: now(),
    cooked: false,
  };

  await deps.ledger.markSending(order.order_id, now(), deps.preparerId);
  await deps.handOver(ready);
  await deps.ledger.markReady(order.order_id);
  deps.onReady?.(ready);
  return 'prepared';
}
