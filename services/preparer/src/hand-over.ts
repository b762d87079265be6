import type { ConsumedMessage, DeadLetter, Serde } from '@chippy/kafka';
import { sleep, type Logger } from '@chippy/runtime';
import {
  type Cooked,
  CookedSchema,
  type CookRequest,
  CookRequestSchema,
  type Order,
  type OrderReady,
  OrderReadySchema,
  OrderSchema,
  type TopicNames,
} from '@chippy/shop';
import type { Producer } from 'kafkajs';
import type { OrderLedger } from './ledger.js';
import { prepareBatch, type BatchOutcome, type BatchOutput, type BatchStep } from './preparer.js';

/** What a batch's output goes through: the preparer's producer (at-least-once) or its transaction. */
export type Sender = Pick<Producer, 'sendBatch' | 'send'>;

/** The parts of a hand-over that stay the same from batch to batch. */
export interface HandOverParts {
  preparerId: string;
  timeScale: number;
  topics: Pick<TopicNames, 'ordersReady' | 'cookRequests' | 'cooked'>;
  decodeOrder: (value: Buffer | null) => Promise<Order>;
  decodeCooked: (value: Buffer | null) => Promise<Cooked>;
  encodeReady: (ready: OrderReady) => Promise<Buffer>;
  encodeCookRequest: (request: CookRequest) => Promise<Buffer>;
  /** Which of these orders have an OrderReady on `orders-ready` written at or after `since`. */
  findPublished: (orderIds: ReadonlySet<string>, since: number) => Promise<ReadonlySet<string>>;
  deadLetters: (sender: Pick<Producer, 'send'>) => DeadLetter;
  /** PREPARER_FAULT's stops for a batch of `size` messages. */
  fault: (size: number) => (step: BatchStep) => Promise<void> | undefined;
  /** At-least-once with the ledger: the hand-over's deadline from its claim (claims.ts). */
  handOverDeadline?: (claimedAt: number) => () => void;
  /** Aborts when shutdown begins: a wait for another preparer's claim ends there. */
  stopping: AbortSignal;
  logger: Logger;
}

type Codecs = Pick<HandOverParts, 'decodeOrder' | 'decodeCooked' | 'encodeReady' | 'encodeCookRequest'>;

/**
 * What the preparer reads and writes, in the configured format: made once, not per batch or message, as
 * each decoder caches a resolver per writer schema id (and each encoder registers its schema).
 */
export async function handOverCodecs(
  serde: Pick<Serde, 'decoder' | 'encoder'>,
  topics: Pick<TopicNames, 'ordersReady' | 'cookRequests'>,
): Promise<Codecs> {
  return {
    decodeOrder: serde.decoder<Order>(OrderSchema),
    decodeCooked: serde.decoder<Cooked>(CookedSchema),
    encodeReady: await serde.encoder<OrderReady>(topics.ordersReady, OrderReadySchema),
    encodeCookRequest: await serde.encoder<CookRequest>(topics.cookRequests, CookRequestSchema),
  };
}

/** A batch's OrderReady and CookRequest messages, keyed by order, in one produce call through `sender`. */
async function sendOutput(sender: Sender, parts: HandOverParts, { ready, cookRequests }: BatchOutput) {
  const { topics, encodeReady, encodeCookRequest } = parts;
  const topicMessages = [
    {
      topic: topics.ordersReady,
      messages: await Promise.all(ready.map(async (r) => ({ key: r.order_id, value: await encodeReady(r) }))),
    },
    {
      topic: topics.cookRequests,
      messages: await Promise.all(
        cookRequests.map(async (r) => ({ key: r.order.order_id, value: await encodeCookRequest(r) })),
      ),
    },
  ].filter((t) => t.messages.length > 0);
  await sender.sendBatch({ topicMessages });
}

/** Prepares a batch with `ledger`, everything it sends going through `sender`. */
export type PrepareVia = (
  messages: readonly ConsumedMessage[],
  sender: Sender,
  ledger: OrderLedger,
) => Promise<BatchOutcome>;

/**
 * prepareBatch with the parts that stay the same, for a sender and ledger chosen per batch: the producer
 * and the claiming ledger (at-least-once), or the batch's transaction and its view of the ledger.
 */
export function handOver(parts: HandOverParts): PrepareVia {
  const { logger } = parts;
  return (messages, sender, ledger) =>
    prepareBatch(messages, {
      preparerId: parts.preparerId,
      timeScale: parts.timeScale,
      cookedTopic: parts.topics.cooked,
      decodeOrder: parts.decodeOrder,
      decodeCooked: parts.decodeCooked,
      ledger,
      send: (output) => sendOutput(sender, parts, output),
      async alreadyHandedOver(orderIds, since) {
        const found = await parts.findPublished(new Set(orderIds), since);
        for (const orderId of orderIds) {
          logger.warn({ order_id: orderId, found: found.has(orderId) }, 'checked an interrupted hand-over');
        }
        return found;
      },
      async waitForClaims(orderIds, until) {
        logger.warn(
          { order_ids: orderIds, until: new Date(until).toISOString() },
          "another preparer's claim holds these orders: waiting for it to lapse",
        );
        await sleep(until - Date.now(), parts.stopping);
        if (parts.stopping.aborted)
          throw new Error("shutting down while waiting for another preparer's claim");
      },
      ...(parts.handOverDeadline && { handOverDeadline: parts.handOverDeadline }),
      deadLetter: parts.deadLetters(sender),
      reached: parts.fault(messages.length),
    });
}
