import {
  DecodeError,
  type ConsumedMessage,
  portionsFor,
  scaledDelay,
  sleep,
  type Cooked,
  type CookRequest,
  type Order,
  type OrderReady,
} from '@chippy/messaging';
import type { OrderLedger } from './ledger.js';

export interface PreparerDeps {
  preparerId: string;
  timeScale: number;
  decodeOrder: (value: Buffer | null) => Promise<Order>;
  decodeCooked: (value: Buffer | null) => Promise<Cooked>;
  /** Takes the order's portions from the hot cabinet (all or none, at most once per order) and tracks it. */
  ledger: OrderLedger;
  /** Puts a CookRequest on `cook-requests`; resolves once Kafka has acknowledged it. */
  askCook(request: CookRequest): Promise<void>;
  /** Puts the OrderReady on `orders-ready`; resolves once Kafka has acknowledged it. */
  handOver(ready: OrderReady): Promise<void>;
  /** Whether an OrderReady for this order reached `orders-ready` at or after `since` (recovery only). */
  alreadyHandedOver(orderId: string, since: number): Promise<boolean>;
  /** Parks a message that can never be prepared. */
  deadLetter(message: ConsumedMessage, reason: string, error: string): Promise<void>;
  /** Called once per order handed over. */
  onReady?(ready: OrderReady): void;
  now?: () => number;
  random?: () => number;
}

export type Outcome = 'prepared' | 'sent-to-cook' | 'duplicate' | 'dead-lettered';

/**
 * An order from the `orders` topic: take its portions from the cabinet and hand it over, or, if the cabinet
 * is short, ask the cook and carry on with other orders (the `cooked` reply finishes it, on any preparer).
 * The caller commits the offset only after this resolves, so a crash at any point means redelivery, and
 * the ledger and the once-per-order take make redelivery harmless.
 */
export async function prepareOrder(message: ConsumedMessage, deps: PreparerDeps): Promise<Outcome> {
  const order = await decodeOrPark(message, deps, async (value) => onTheMenu(await deps.decodeOrder(value)));
  if (!order) return 'dead-lettered';
  return takeAndFinish(order, (deps.now ?? Date.now)(), 1, false, deps);
}

/** The cook's reply: the food is in the cabinet, so take it and finish the order (or ask again). */
export async function finishCooked(message: ConsumedMessage, deps: PreparerDeps): Promise<Outcome> {
  const cooked = await decodeOrPark(message, deps, async (value) => {
    const reply = await deps.decodeCooked(value);
    onTheMenu(reply.order);
    return reply;
  });
  if (!cooked) return 'dead-lettered';
  return takeAndFinish(cooked.order, cooked.prepare_started, cooked.attempt + 1, true, deps);
}

/** An order with an item not on the menu can never be prepared (portionsFor throws a DecodeError). */
function onTheMenu(order: Order): Order {
  portionsFor(order.items);
  return order;
}

async function decodeOrPark<T>(
  message: ConsumedMessage,
  deps: PreparerDeps,
  decode: (value: Buffer | null) => Promise<T>,
): Promise<T | undefined> {
  try {
    return await decode(message.value);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error; // e.g. the registry is unreachable: retry, don't park
    await deps.deadLetter(message, error.reason, error.message);
    return undefined;
  }
}

async function takeAndFinish(
  order: Order,
  started: number,
  nextAttempt: number,
  cooked: boolean,
  deps: PreparerDeps,
): Promise<Outcome> {
  const { now = Date.now, random = Math.random } = deps;
  const taken = await deps.ledger.take(order.order_id, portionsFor(order.items), now());
  if (taken.outcome === 'handed-over') return 'duplicate';
  if (taken.outcome === 'interrupted') {
    if (await deps.alreadyHandedOver(order.order_id, taken.since)) {
      await deps.ledger.markReady(order.order_id);
      return 'duplicate';
    }
    // Not in Kafka: its portions were taken before the interruption, so it is handed over now.
  } else if (taken.outcome === 'short') {
    // Someone else may have taken the food the cook made for this order: then it simply asks again.
    await deps.askCook({
      order,
      short: taken.short,
      preparer: deps.preparerId,
      prepare_started: started,
      attempt: nextAttempt,
    });
    return 'sent-to-cook';
  }

  // In-flight work is finished even during shutdown: it is at most one order's preparing time.
  await sleep(scaledDelay(0.5, 1.0, deps.timeScale, random));
  const ready: OrderReady = {
    ...order,
    preparer: deps.preparerId,
    prepare_started: started,
    ready_time: now(),
    cooked,
  };
  await deps.handOver(ready);
  await deps.ledger.markReady(order.order_id);
  deps.onReady?.(ready);
  return 'prepared';
}
