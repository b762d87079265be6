import { DecodeError, type ConsumedMessage } from '@chippy/kafka';
import { sleep } from '@chippy/runtime';
import {
  OffMenuError,
  portionsFor,
  scaledDelay,
  type Cooked,
  type CookRequest,
  type Order,
  type OrderReady,
  type TakeResult,
} from '@chippy/shop';
import type { OrderLedger } from './ledger.js';

/** Where a batch has got to, for the fault-injection setting (PREPARER_FAULT) and nothing else. */
export type BatchStep = 'taken' | 'sent';

export interface PreparerDeps {
  preparerId: string;
  timeScale: number;
  /** The `cooked` topic's name: its messages are the cook's replies; every other message is an order. */
  cookedTopic: string;
  decodeOrder: (value: Buffer | null) => Promise<Order>;
  decodeCooked: (value: Buffer | null) => Promise<Cooked>;
  /** Takes the orders' portions from the hot cabinet (all or none, at most once per order) and tracks them. */
  ledger: OrderLedger;
  /**
   * Puts the batch's OrderReady and CookRequest messages on their topics in one produce call; resolves once
   * Kafka has acknowledged every one of them.
   */
  send(output: BatchOutput): Promise<void>;
  /** Which of these orders have an OrderReady on `orders-ready` written at or after `since` (recovery only). */
  alreadyHandedOver(orderIds: readonly string[], since: number): Promise<ReadonlySet<string>>;
  /**
   * Waits until `until`, when another preparer's claim on these orders lapses (the consumer keeps its
   * heartbeats meanwhile); rejects if shutdown begins.
   */
  waitForClaims(orderIds: readonly string[], until: number): Promise<void>;
  /**
   * Arms the hand-over's deadline from the claim (at-least-once, claims.ts); the returned function disarms
   * it once the send is acknowledged.
   */
  handOverDeadline?(claimedAt: number): () => void;
  /** Parks a message that can never be prepared. */
  deadLetter(message: ConsumedMessage, reason: string, error: string): Promise<void>;
  /** Awaited as the batch passes each step (the fault-injection setting stops the process there). */
  reached?(step: BatchStep): Promise<void> | undefined;
  now?: () => number;
  random?: () => number;
}

export interface BatchOutput {
  ready: OrderReady[];
  cookRequests: CookRequest[];
}

/** What became of a batch: what was sent, and the orders skipped as already handed over. */
export interface BatchOutcome extends BatchOutput {
  duplicates: string[];
  deadLettered: number;
}

/** An order to take portions for: from `orders` (attempt 1) or from the cook's reply on `cooked`. */
interface Pending {
  order: Order;
  started: number;
  nextAttempt: number;
  cooked: boolean;
}

/**
 * A batch of messages from one partition of `orders` or `cooked`, prepared together: every message
 * decoded (one that can never be decoded goes to the dead-letter topic, the rest carry on); every order's
 * portions taken and the ledger checked and claimed in one Redis step; every OrderReady and CookRequest
 * sent in one produce call; the orders recorded ready in one more Redis step. The caller commits the
 * offsets only after this resolves, so a crash at any point means redelivery, and the ledger and the
 * once-per-order take make redelivery harmless. At demo pace the caller passes one message at a time.
 */
export async function prepareBatch(
  messages: readonly ConsumedMessage[],
  deps: PreparerDeps,
): Promise<BatchOutcome> {
  const { now = Date.now, random = Math.random } = deps;
  const outcome: BatchOutcome = { ready: [], cookRequests: [], duplicates: [], deadLettered: 0 };
  const decoded = await Promise.all(messages.map((message) => decode(message, deps, now)));
  const pending: Pending[] = [];
  const seen = new Set<string>();
  for (const [i, result] of decoded.entries()) {
    if (result instanceof DecodeError) {
      await deps.deadLetter(messages[i]!, result.reason, result.message);
      outcome.deadLettered += 1;
    } else if (seen.has(result.order.order_id)) {
      // The same order twice in one batch: the first delivery is the one prepared.
      outcome.duplicates.push(result.order.order_id);
    } else {
      seen.add(result.order.order_id);
      pending.push(result);
    }
  }
  if (pending.length === 0) return outcome;

  const portions = pending.map((p) => ({ orderId: p.order.order_id, portions: portionsFor(p.order.items) }));
  let claimedAt = now();
  let results = await deps.ledger.take(portions, claimedAt);
  for (let held = heldUntil(pending, results); held; held = heldUntil(pending, results)) {
    // Another preparer may still be sending these: nothing was taken; look again once its claim lapses.
    await deps.waitForClaims(held.orderIds, held.until);
    claimedAt = now();
    results = await deps.ledger.take(portions, claimedAt);
  }
  const disarm = deps.handOverDeadline?.(claimedAt) ?? (() => {});
  try {
    return await prepareTaken(pending, results, deps, outcome, now, random);
  } finally {
    disarm();
  }
}

/** The orders another preparer's claim still holds, and when the last of those claims lapses. */
function heldUntil(
  pending: readonly Pending[],
  results: readonly TakeResult[],
): { orderIds: string[]; until: number } | undefined {
  const held = pending.flatMap((p, i) => {
    const result = results[i]!;
    return result.outcome === 'held' ? [{ orderId: p.order.order_id, until: result.until }] : [];
  });
  if (held.length === 0) return undefined;
  return { orderIds: held.map((h) => h.orderId), until: Math.max(...held.map((h) => h.until)) };
}

/** The rest of a batch once its orders are taken and claimed: recovery, preparation, the send, the ledger. */
async function prepareTaken(
  pending: readonly Pending[],
  results: readonly TakeResult[],
  deps: PreparerDeps,
  outcome: BatchOutcome,
  now: () => number,
  random: () => number,
): Promise<BatchOutcome> {
  const interrupted = pending.flatMap((p, i) => {
    const result = results[i]!;
    return result.outcome === 'interrupted' ? [{ orderId: p.order.order_id, since: result.since }] : [];
  });
  const published = interrupted.length
    ? await deps.alreadyHandedOver(
        interrupted.map((o) => o.orderId),
        Math.min(...interrupted.map((o) => o.since)),
      )
    : new Set<string>();
  const unsent = interrupted.filter((o) => !published.has(o.orderId));
  if (!(await deps.ledger.reclaim(unsent, now()))) {
    throw new Error('another preparer claimed an interrupted order first: the batch will be delivered again');
  }
  await deps.reached?.('taken');

  for (const [i, p] of pending.entries()) {
    const result = results[i]!;
    if (result.outcome === 'handed-over' || published.has(p.order.order_id)) {
      outcome.duplicates.push(p.order.order_id);
    } else if (result.outcome === 'short') {
      // Someone else may have taken the food the cook made for this order: then it simply asks again.
      outcome.cookRequests.push({
        order: p.order,
        short: result.short,
        preparer: deps.preparerId,
        prepare_started: p.started,
        attempt: p.nextAttempt,
      });
    } else {
      // Taken now, taken before a crash ('already'), or interrupted and not in Kafka: handed over now.
      // One person prepares one order at a time; in-flight work is finished even during shutdown.
      if (deps.timeScale > 0) await sleep(scaledDelay(0.5, 1.0, deps.timeScale, random));
      outcome.ready.push({
        ...p.order,
        preparer: deps.preparerId,
        prepare_started: p.started,
        ready_time: now(),
        cooked: p.cooked,
      });
    }
  }

  if (outcome.ready.length > 0 || outcome.cookRequests.length > 0) {
    await deps.send({ ready: outcome.ready, cookRequests: outcome.cookRequests });
  }
  await deps.reached?.('sent');
  // The interrupted orders found in Kafka are recorded too, so their next redelivery needs no read.
  const recorded = [...outcome.ready.map((r) => r.order_id), ...published];
  if (recorded.length > 0) await deps.ledger.markReady(recorded);
  return outcome;
}

/**
 * An order from `orders`, or the cook's reply from `cooked` (the food is in the cabinet, so the order is
 * taken again, timed from its first pick-up); a DecodeError when the message can never be prepared. Other
 * errors (e.g. the registry is unreachable) are thrown, so the batch is retried, not parked.
 */
async function decode(
  message: ConsumedMessage,
  deps: PreparerDeps,
  now: () => number,
): Promise<Pending | DecodeError> {
  try {
    if (message.topic === deps.cookedTopic) {
      const reply = await deps.decodeCooked(message.value);
      portionsFor(reply.order.items);
      return {
        order: reply.order,
        started: reply.prepare_started,
        nextAttempt: reply.attempt + 1,
        cooked: true,
      };
    }
    const order = await deps.decodeOrder(message.value);
    // An item not on the menu can never be prepared (portionsFor throws an OffMenuError).
    portionsFor(order.items);
    return { order, started: now(), nextAttempt: 1, cooked: false };
  } catch (error) {
    if (error instanceof DecodeError) return error;
    if (error instanceof OffMenuError) return new DecodeError('invalid-value', error.message);
    throw error;
  }
}
