import { hostname } from 'node:os';
import {
  producerOptions,
  transactionalProducerOptions,
  sendToDlq,
  startLagMonitor,
  startService,
  type ConsumedMessage,
} from '@chippy/kafka';
import {
  errorMessage,
  latencyBuckets,
  parseEnum,
  parseInteger,
  parseString,
  retry,
  setting,
} from '@chippy/runtime';
import {
  shopSettings,
  closeRedis,
  createRedis,
  redisReady,
  CookedSchema,
  CookRequestSchema,
  OrderReadySchema,
  OrderSchema,
  redisCabinet,
  type Cooked,
  type CookRequest,
  type Order,
  type OrderReady,
} from '@chippy/shop';
import type { KafkaMessage, Producer } from 'kafkajs';
import { ledgerInTransaction, noLedger, redisLedger, type OrderLedger } from './ledger.js';
import { prepareBatch, type BatchOutcome, type BatchStep, type PreparerDeps } from './preparer.js';
import { findPublished } from './published.js';
import {
  belowCommitted,
  committedOffsetIn,
  inTransaction,
  PartitionProducers,
  transactionalIdFor,
} from './transactions.js';

const service = await startService({
  name: 'preparer',
  description: 'A food preparer: one of the consumer group "preparers" on the orders topic.',
  httpPort: 9102,
  settings: {
    redisUrl: shopSettings.redisUrl,
    preparerId: setting({
      env: 'PREPARER_ID',
      flag: '--preparer-id',
      description: 'name of this preparer (on every OrderReady)',
      default: `${hostname()}-${process.pid}`,
      parse: parseString,
    }),
    concurrency: setting({
      env: 'PREPARER_CONCURRENCY',
      flag: '--concurrency',
      description:
        'partitions prepared at once; 1 = one person. Above 1, after a crash an order redelivered on orders and its cook reply on cooked can be prepared at the same time, both seen as interrupted, and handed over twice',
      default: 1,
      parse: parseInteger({ min: 1, max: 64 }),
    }),
    batchSize: setting({
      env: 'PREPARER_BATCH_SIZE',
      flag: '--batch-size',
      description:
        'most messages prepared as one batch (one Redis step, one send, one commit or transaction); 0 = 1 at demo pace (TIME_SCALE > 0: one person, one order at a time), 500 when TIME_SCALE=0',
      default: 0,
      parse: parseInteger({ min: 0, max: 10_000 }),
    }),
    delivery: setting({
      env: 'DELIVERY',
      flag: '--delivery',
      description:
        'at-least-once (commit offsets after the hand-over is acknowledged) or exactly-once (consume → produce in Kafka transactions)',
      default: 'at-least-once',
      parse: parseEnum(['at-least-once', 'exactly-once']),
    }),
    dedup: setting({
      env: 'PREPARER_DEDUP',
      flag: '--dedup',
      description:
        'ledger (skip orders already handed over, by order_id in Redis) or none (a teaching switch: shows what transactions alone do)',
      default: 'ledger',
      parse: parseEnum(['ledger', 'none']),
    }),
    fault: setting({
      env: 'PREPARER_FAULT',
      flag: '--fault',
      description:
        'for crash tests: SIGKILL this preparer in its first batch of two or more orders, after the Redis step (after-take) or after the send, before the commit (after-send)',
      default: 'none',
      parse: parseEnum(['none', 'after-take', 'after-send']),
    }),
  },
});
const { config, logger, metrics, shutdown, kafka, topics } = service;
const groupId = service.groups.preparers;
const retrying = { logger, signal: shutdown.signal };
const labels = { preparer: config.preparerId };

const prepared = metrics.counter('chippy_orders_prepared_total', 'Orders handed over', ['preparer']);
const sentToCook = metrics.counter('chippy_orders_sent_to_cook_total', 'Cook requests made', ['preparer']);
const transactions = metrics.counter(
  'chippy_preparer_transactions_total',
  'Kafka transactions ended (DELIVERY=exactly-once)',
  ['preparer', 'outcome'],
);
const duplicates = metrics.counter('chippy_orders_duplicate_total', 'Redelivered orders skipped', [
  'preparer',
]);
const prepareSeconds = metrics.histogram(
  'chippy_order_prepare_seconds',
  'From picking an order up to handing it over',
  [],
  latencyBuckets,
);
const latencySeconds = metrics.histogram(
  'chippy_order_latency_seconds',
  'From order_time to ready',
  [],
  latencyBuckets,
);

const redis = createRedis(config.redisUrl, logger, service.readiness('redis'));
const admin = kafka.admin();
const producer = kafka.producer(producerOptions());
const consumer = service.groupConsumer(groupId, 'joined the preparers');
const exactlyOnce = config.delivery === 'exactly-once';
// exactly-once: one transactional producer per assigned input partition, its id that partition's, made on
// the partition's first message after each group join, with the group's committed offset of the partition.
const txProducers = new PartitionProducers(async (topic, partition) => {
  const transactionalId = transactionalIdFor(config.topicPrefix, topic, partition);
  const txProducer = kafka.producer(transactionalProducerOptions(transactionalId));
  await txProducer.connect();
  try {
    // kafkajs registers the transactional id (InitProducerId) only when a first transaction begins; an empty
    // one does it now. That fences the partition's previous owner and, as kafkajs retries
    // CONCURRENT_TRANSACTIONS, returns only once the broker has finished the partition's last transaction
    // (committed by the previous owner or by this preparer before the rebalance, or left open and aborted
    // now): its offset is in the group from then on.
    await (await txProducer.transaction()).abort();
    // Why read the offset again: kafkajs's consumer fetched it at the join without asking for stable offsets
    // (its OffsetFetch v1–v4 has no require_stable, KIP-447), so in the moment between a commit and its
    // markers it starts at the previous offset and hands us a message whose transaction already committed.
    // Handling it again would hand an order over twice; messages below this offset are skipped instead.
    const answer = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = committedOffsetIn(answer, topic, partition);
    logger.info({ topic, partition, transactionalId, committed }, 'transactional producer connected');
    return { producer: txProducer, committed, disconnect: () => txProducer.disconnect() };
  } catch (error) {
    await txProducer.disconnect().catch(() => undefined);
    throw error;
  }
});
if (exactlyOnce) {
  // After every rebalance each partition's producer is made afresh, for a partition kept too: making it is
  // what waits for the partition's last transaction and reads the committed offset (above).
  consumer.on(consumer.events.GROUP_JOIN, () => {
    void txProducers.closeAll();
  });
}
// Reverse order on shutdown: stop consuming (commits what is done), then the producers, Redis and admin.
shutdown.add('redis', () => closeRedis(redis));
shutdown.add('kafka admin', () => admin.disconnect());
shutdown.add('kafka producer', () => producer.disconnect());
shutdown.add('transactional producers', () => txProducers.closeAll());
shutdown.add('kafka consumer', () => consumer.disconnect());

try {
  await redisReady(redis, shutdown.signal);
  await service.connectAndCreateTopics(admin, [
    'orders',
    'ordersReady',
    'cookRequests',
    'cooked',
    'ordersDlq',
  ]);
  const { serde } = service;
  const encodeReady = await serde.encoder<OrderReady>(topics.ordersReady, OrderReadySchema);
  const encodeCookRequest = await serde.encoder<CookRequest>(topics.cookRequests, CookRequestSchema);
  const cabinet = redisCabinet(redis, config.topicPrefix);
  await retry('connect the producer', () => producer.connect(), retrying);
  await retry('connect the consumer', () => consumer.connect(), retrying);
  await consumer.subscribe({ topics: [topics.orders, topics.cooked], fromBeginning: true });

  const lag = startLagMonitor({
    admin,
    groupId,
    topics: [topics.orders],
    gauge: metrics.consumerLag,
    intervalMs: 5000,
    logger,
  });
  shutdown.add('lag monitor', () => Promise.resolve(lag.stop()));

  const ledger: OrderLedger =
    config.dedup === 'ledger' ? redisLedger(cabinet, config.preparerId) : noLedger(cabinet);
  /** exactly-once: the ledger one transaction sees (`ready` recorded only after its commit). */
  const transactionLedger = () =>
    config.dedup === 'ledger'
      ? ledgerInTransaction(cabinet)
      : { ledger, afterCommit: () => Promise.resolve() };
  // Made once: each decoder caches a resolver per writer schema id.
  const decodeOrder = serde.decoder<Order>(OrderSchema);
  const decodeCooked = serde.decoder<Cooked>(CookedSchema);
  const batchSize = config.batchSize || (config.timeScale > 0 ? 1 : 500);
  const faultAt: BatchStep | undefined = { none: undefined, 'after-take': 'taken', 'after-send': 'sent' }[
    config.fault
  ] as BatchStep | undefined;
  let faultArmed = faultAt !== undefined;
  /** PREPARER_FAULT: dies as a SIGKILL from outside would, at the chosen step of a batch. */
  const reached = (batch: number) => (step: BatchStep) => {
    if (faultArmed && batch > 1 && step === faultAt) {
      faultArmed = false;
      logger.warn({ step, batch }, 'PREPARER_FAULT: killing this preparer mid-batch');
      // The batch goes no further; the line is written out first, so the test can see where it died.
      return new Promise<void>(() =>
        logger.flush(() => setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200)),
      );
    }
    return undefined;
  };

  /** What prepareBatch needs, sending through `sender` (the producer, or the batch's transaction). */
  const depsFor = (
    sender: Pick<Producer, 'sendBatch' | 'send'>,
    orderLedger: OrderLedger,
    batch: number,
  ): PreparerDeps => ({
    preparerId: config.preparerId,
    timeScale: config.timeScale,
    cookedTopic: topics.cooked,
    decodeOrder,
    decodeCooked,
    ledger: orderLedger,
    async send({ ready, cookRequests }) {
      const topicMessages = [
        {
          topic: topics.ordersReady,
          messages: await Promise.all(
            ready.map(async (r) => ({ key: r.order_id, value: await encodeReady(r) })),
          ),
        },
        {
          topic: topics.cookRequests,
          messages: await Promise.all(
            cookRequests.map(async (r) => ({ key: r.order.order_id, value: await encodeCookRequest(r) })),
          ),
        },
      ].filter((t) => t.messages.length > 0);
      await sender.sendBatch({ acks: -1, topicMessages });
    },
    async alreadyHandedOver(orderIds, since) {
      const found = await findPublished(kafka, admin, topics.ordersReady, new Set(orderIds), since);
      for (const orderId of orderIds) {
        logger.warn({ order_id: orderId, found: found.has(orderId) }, 'checked an interrupted hand-over');
      }
      return found;
    },
    async deadLetter(original, reason, error) {
      await sendToDlq(sender, {
        dlqTopic: topics.ordersDlq,
        message: original,
        reason,
        error,
        service: 'preparer',
        counter: metrics.dlqMessages,
      });
      logger.warn(
        { topic: original.topic, partition: original.partition, offset: original.offset, reason, error },
        'message sent to the dead-letter topic',
      );
    },
    reached: reached(batch),
  });

  /** Metrics and log lines for a batch whose output is final (sent, or its transaction committed). */
  function report(outcome: BatchOutcome) {
    prepared.inc(labels, outcome.ready.length);
    sentToCook.inc(labels, outcome.cookRequests.length);
    duplicates.inc(labels, outcome.duplicates.length);
    for (const ready of outcome.ready) {
      prepareSeconds.observe((ready.ready_time - ready.prepare_started) / 1000);
      latencySeconds.observe((ready.ready_time - ready.order_time) / 1000);
      logger.info(
        { order_id: ready.order_id, till: ready.till, count: ready.count, cooked: ready.cooked },
        'order ready',
      );
    }
    for (const request of outcome.cookRequests) {
      logger.info(
        { order_id: request.order.order_id, short: request.short, attempt: request.attempt },
        'asked the cook',
      );
    }
    for (const orderId of outcome.duplicates) {
      logger.info({ order_id: orderId }, 'order already handed over; skipped');
    }
  }

  /** exactly-once: a batch's outputs and its last offset in one transaction of its partition's producer. */
  async function prepareInTransaction(messages: ConsumedMessage[]): Promise<BatchOutcome | undefined> {
    const { topic, partition } = messages[0]!;
    const { producer: txProducer, committed } = await txProducers.get(topic, partition);
    const fresh = messages.filter((m) => !belowCommitted(m.offset, committed));
    if (fresh.length < messages.length) {
      const skipped = messages.filter((m) => belowCommitted(m.offset, committed));
      logger.info(
        { topic, partition, offsets: skipped.map((m) => m.offset), committed },
        'offset already committed; skipped',
      );
    }
    if (fresh.length === 0) return undefined;
    const last = fresh.at(-1)!;
    const view = transactionLedger();
    let outcome;
    try {
      outcome = await inTransaction(
        () => txProducer.transaction(),
        { consumerGroupId: groupId, topic, partition, offset: last.offset },
        (tx) => prepareBatch(fresh, depsFor(tx, view.ledger, fresh.length)),
        (abortError) => {
          // Fenced (another preparer owns the partition now) or in an unknown state: not used again, and
          // no new producer for this partition until the group assigns it afresh.
          logger.warn({ topic, partition, err: errorMessage(abortError) }, 'abort failed; producer dropped');
          void txProducers.drop(topic, partition, { untilRebalance: true });
        },
      );
    } catch (error) {
      transactions.inc({ ...labels, outcome: 'aborted' });
      logger.warn(
        { topic, partition, offset: fresh[0]!.offset, last: last.offset, err: errorMessage(error) },
        'transaction aborted',
      );
      throw error;
    }
    transactions.inc({ ...labels, outcome: 'committed' });
    await view.afterCommit();
    return outcome;
  }

  const consumed = (topic: string, partition: number) => (message: KafkaMessage) => ({
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
  });

  await consumer.run({
    partitionsConsumedConcurrently: config.concurrency,
    // exactly-once commits offsets in the transactions; the consumer must not commit them itself.
    autoCommit: !exactlyOnce,
    // Offsets are resolved as each part of a fetched batch is done, so a stop mid-batch commits those.
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      // A fetch holds up to 256 KB a partition: it is prepared `batchSize` messages at a time, with a
      // heartbeat and a look at shutdown and rebalancing between parts.
      for (let start = 0; start < batch.messages.length; start += batchSize) {
        if (!payload.isRunning() || payload.isStale()) break;
        const part = batch.messages
          .slice(start, start + batchSize)
          .map(consumed(batch.topic, batch.partition));
        const outcome = exactlyOnce
          ? await prepareInTransaction(part)
          : await prepareBatch(part, depsFor(producer, ledger, part.length));
        if (outcome) report(outcome);
        payload.resolveOffset(part.at(-1)!.offset);
        await payload.heartbeat();
      }
    },
  });
} catch (error) {
  if (!shutdown.signal.aborted) {
    logger.error({ err: errorMessage(error) }, 'preparer failed');
    await shutdown.run('failed', 1);
  }
}
