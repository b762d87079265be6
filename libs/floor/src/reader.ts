import { randomUUID } from 'node:crypto';
import type { Serde } from '@chippy/kafka';
import { errorMessage, retry, sleep, type Logger } from '@chippy/runtime';
import {
  type CookBatch,
  CookBatchSchema,
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
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Floor } from './floor.js';
import { readGroups } from './groups.js';

export interface FloorReaderOptions {
  kafka: Kafka;
  /** Connected by the reader. */
  admin: Admin;
  serde: Pick<Serde, 'decoder'>;
  topics: TopicNames;
  groups: { preparers: string; cooks: string };
  /** Names the reader's throwaway group, so a shop's floors are told apart from another shop's. */
  prefix: string;
  floor: Floor;
  logger: Logger;
  signal: AbortSignal;
  /** How often the groups (members, partitions, lag) are read. */
  groupsIntervalMs?: number;
  /** After each message applied to the floor. */
  onEvent?: () => void;
  /** Each order made ready, as read (the summary's latency figures). */
  onReady?: (ready: OrderReady) => void;
  now?: () => number;
}

export interface FloorReader {
  /** Resolves when the reader has stopped (after the signal), its throwaway group deleted. */
  done: Promise<void>;
}

/** The topics every running shop has; the floor waits for them (a floor may start before the shop). */
const required = ['orders', 'cookRequests', 'cooked', 'ordersReady'] as const;

/**
 * Feeds the floor from the shop's topics, read from their end, and from the groups' descriptions.
 *
 * kafkajs cannot read a topic without joining a consumer group, so the reader joins a group of its own,
 * alone (`<prefix>floor-<uuid>`): it never commits an offset, starts at the end as a group with no
 * offsets does, and deletes the group when it stops. It joins none of the shop's groups, so watching
 * moves no partition. Reads are read_committed (kafkajs's default), so an aborted transaction's messages
 * (DELIVERY=exactly-once) never show.
 */
export function startFloorReader(options: FloorReaderOptions): FloorReader {
  const { kafka, admin, topics, floor, logger, signal } = options;
  const now = options.now ?? Date.now;
  const groupsIntervalMs = options.groupsIntervalMs ?? 1000;
  const retrying = { logger, signal };
  const decode = {
    order: options.serde.decoder<Order>(OrderSchema),
    cookRequest: options.serde.decoder<CookRequest>(CookRequestSchema),
    cooked: options.serde.decoder<Cooked>(CookedSchema),
    ready: options.serde.decoder<OrderReady>(OrderReadySchema),
    batch: options.serde.decoder<CookBatch>(CookBatchSchema),
  };

  async function apply(topic: string, partition: number, value: Buffer): Promise<void> {
    const at = now();
    if (topic === topics.orders) floor.order(await decode.order(value), partition, at);
    else if (topic === topics.cookRequests) floor.cookRequest(await decode.cookRequest(value), partition, at);
    else if (topic === topics.cooked) floor.cooked(await decode.cooked(value), at);
    else if (topic === topics.ordersReady) {
      const ready = await decode.ready(value);
      floor.ready(ready, at);
      options.onReady?.(ready);
    } else if (topic === topics.cookBatches) floor.cookBatch(await decode.batch(value), at);
  }

  let undecodable = 0;
  async function run(consumer: Consumer): Promise<void> {
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (!message.value) continue;
          try {
            await apply(batch.topic, batch.partition, message.value);
            options.onEvent?.();
          } catch (error) {
            // The shop's own consumers dead-letter what they cannot decode; the floor only skips it.
            undecodable += 1;
            if (undecodable <= 10 || undecodable % 1000 === 0) {
              logger.warn(
                { topic: batch.topic, offset: message.offset, undecodable, err: errorMessage(error) },
                'floor skipped a message it could not decode',
              );
            }
          }
        }
      },
    });
  }

  async function readGroupsLoop(): Promise<void> {
    let failing = false;
    while (!signal.aborted) {
      try {
        const groups = await readGroups(admin, {
          preparers: options.groups.preparers,
          cooks: options.groups.cooks,
          orders: topics.orders,
          cookRequests: topics.cookRequests,
        });
        const at = now();
        floor.setPreparers(groups.preparers, groups.lag, at);
        floor.setCooks(groups.cooks, at);
        options.onEvent?.();
        if (failing) logger.info('floor reads the groups again');
        failing = false;
      } catch (error) {
        if (!failing) logger.warn({ err: errorMessage(error) }, 'floor could not read the groups, retrying');
        failing = true;
      }
      await sleep(groupsIntervalMs, signal).catch(() => undefined);
    }
  }

  async function main(): Promise<void> {
    try {
      await watch();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async function watch(): Promise<void> {
    await retry('connect to Kafka', () => admin.connect(), retrying);
    const wanted = required.map((name) => topics[name]);
    // A floor started before the shop waits for its topics: one line, not one warning per look.
    for (let said = false; ; said = true) {
      const existing = new Set(await retry('list the topics', () => admin.listTopics(), retrying));
      const missing = wanted.filter((t) => !existing.has(t));
      if (missing.length === 0) break;
      if (!said) logger.info({ missing }, 'floor waiting for the shop topics (is the shop running?)');
      await sleep(2000, signal);
    }
    const groupId = `${options.prefix}floor-${randomUUID()}`;
    const groupsLoop = readGroupsLoop();
    let consumer: Consumer | undefined;
    try {
      let batches = (await admin.listTopics()).includes(topics.cookBatches);
      consumer = await subscribe(groupId, batches ? [...wanted, topics.cookBatches] : wanted);
      if (!batches)
        logger.info({ topic: topics.cookBatches }, 'no cook batches yet: restocks show once it exists');
      // A cook that writes batches creates their topic; once it does, the floor reads it too.
      while (!signal.aborted && !batches) {
        await sleep(5000, signal).catch(() => undefined);
        if (signal.aborted) break;
        batches = (await admin.listTopics().catch((): string[] => [])).includes(topics.cookBatches);
        if (!batches) continue;
        await consumer.disconnect();
        consumer = undefined;
        consumer = await subscribe(groupId, [...wanted, topics.cookBatches]);
        logger.info({ topic: topics.cookBatches }, 'floor reads cook batches too');
      }
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await consumer?.disconnect().catch(() => undefined);
      await groupsLoop;
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }

  async function subscribe(groupId: string, wanted: string[]): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    try {
      await retry('connect the floor reader', () => consumer.connect(), retrying);
      await consumer.subscribe({ topics: wanted, fromBeginning: false });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    // The end is where the first fetch starts (a group without offsets resets to the latest then): from
    // that line on, every message written shows on the floor.
    let said = false;
    consumer.on(consumer.events.FETCH, () => {
      if (said) return;
      said = true;
      logger.info({ topics: wanted, groupId }, 'floor reading the shop topics from their end');
    });
    await run(consumer);
    return consumer;
  }

  return {
    done: main().catch((error: unknown) => {
      if (!signal.aborted) logger.error({ err: errorMessage(error) }, 'floor reader stopped');
    }),
  };
}
