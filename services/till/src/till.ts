import { randomUUID } from 'node:crypto';
import { sleep } from '@chippy/runtime';
import { scaledDelay, type Order } from '@chippy/shop';
import { orderFor, paymentFor, rollDie, type Payment } from './customer.js';

export interface TillOptions {
  tillId: string;
  plaice: boolean;
  timeScale: number;
  /** Stop after this many orders; 0 = until told to stop. */
  orders: number;
  /** Orders per second on a fixed schedule (load tests); 0 = the till's own pace, 1.0–1.5 s apart. */
  rate: number;
}

export interface TillDeps {
  /** Resolves once the order is safely in Kafka. */
  place(order: Order): Promise<void>;
  signal: AbortSignal;
  random?: () => number;
  now?: () => number;
  newId?: () => string;
}

/** One order as the till writes it. */
export function takeOrder(
  tillId: string,
  count: number,
  die: number,
  plaice: boolean,
  now: number,
  id: string,
  payment: Payment,
): Order {
  return { order_id: id, till: tillId, count, order_time: now, items: orderFor(die, plaice), payment };
}

/**
 * The till: wait for a customer, take their order, put it on the `orders` topic; again, until the
 * configured number of orders is reached or shutdown begins. Returns how many orders were placed.
 */
export async function runTill(options: TillOptions, deps: TillDeps): Promise<number> {
  const { random = Math.random, now = Date.now, newId = randomUUID, signal } = deps;
  const started = now();
  let count = 0;
  while (!signal.aborted && (options.orders === 0 || count < options.orders)) {
    const wait =
      options.rate > 0
        ? // Open loop: the n-th order is due at start + n/rate, however long the last send took.
          Math.max(0, started + (count * 1000) / options.rate - now())
        : scaledDelay(1.0, 1.5, options.timeScale, random);
    await sleep(wait, signal);
    if (signal.aborted) break;
    count += 1;
    const die = rollDie(random);
    await deps.place(
      takeOrder(options.tillId, count, die, options.plaice, now(), newId(), paymentFor(random)),
    );
  }
  return count;
}
