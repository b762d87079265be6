import { hostname } from 'node:os';
import {
  commonSettings,
  closeRedis,
  createRedis,
  redisReady,
  errorMessage,
  latencyBuckets,
  CookedSchema,
  CookRequestSchema,
  OrderReadySchema,
  OrderSchema,
  redisCabinet,
  parseInteger,
  parseString,
  producerOptions,
  retry,
  sendToDlq,
  setting,
  startLagMonitor,
  startService,
  type Cooked,
  type CookRequest,
  type Order,
  type OrderReady,
} from '@chippy/messaging';
import { redisLedger } from './ledger.js';
import { finishCooked, prepareOrder, type PreparerDeps } from './preparer.js';
import { findPublished } from './published.js';

const service = await startService({
  name: 'preparer',
  description: 'A food preparer: one of the consumer group "preparers" on the orders topic.',
  httpPort: 9102,
  settings: {
    redisUrl: commonSettings.redisUrl,
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
      description: 'orders prepared at once (partitions consumed concurrently); 1 = one person',
      default: 1,
      parse: parseInteger({ min: 1, max: 64 }),
    }),
  },
});
const { config, logger, metrics, shutdown, kafka, topics } = service;
const groupId = service.groups.preparers;
const retrying = { logger, signal: shutdown.signal };
const labels = { preparer: config.preparerId };

const prepared = metrics.counter('chippy_orders_prepared_total', 'Orders handed over', ['preparer']);
const sentToCook = metrics.counter('chippy_orders_sent_to_cook_total', 'Cook requests made', ['preparer']);
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
// Reverse order on shutdown: stop consuming (commits what is done), then the producer, Redis and admin.
shutdown.add('redis', () => closeRedis(redis));
shutdown.add('kafka admin', () => admin.disconnect());
shutdown.add('kafka producer', () => producer.disconnect());
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

  const deps: PreparerDeps = {
    preparerId: config.preparerId,
    timeScale: config.timeScale,
    decodeOrder: serde.decoder<Order>(OrderSchema),
    decodeCooked: serde.decoder<Cooked>(CookedSchema),
    ledger: redisLedger(redis),
    take: (orderId, portions) => cabinet.take(orderId, portions),
    async askCook(request) {
      await producer.send({
        topic: topics.cookRequests,
        acks: -1,
        messages: [{ key: request.order.order_id, value: await encodeCookRequest(request) }],
      });
      sentToCook.inc(labels);
      logger.info(
        { order_id: request.order.order_id, short: request.short, attempt: request.attempt },
        'asked the cook',
      );
    },
    async handOver(ready) {
      await producer.send({
        topic: topics.ordersReady,
        acks: -1,
        messages: [{ key: ready.order_id, value: await encodeReady(ready) }],
      });
    },
    async alreadyHandedOver(orderId, since) {
      const found = await findPublished(kafka, admin, topics.ordersReady, new Set([orderId]), since);
      logger.warn({ order_id: orderId, found: found.has(orderId) }, 'checked an interrupted hand-over');
      return found.has(orderId);
    },
    async deadLetter(original, reason, error) {
      await sendToDlq(producer, {
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
    onReady(ready) {
      prepared.inc(labels);
      prepareSeconds.observe((ready.ready_time - ready.prepare_started) / 1000);
      latencySeconds.observe((ready.ready_time - ready.order_time) / 1000);
      logger.info(
        { order_id: ready.order_id, till: ready.till, count: ready.count, cooked: ready.cooked },
        'order ready',
      );
    },
  };

  await consumer.run({
    partitionsConsumedConcurrently: config.concurrency,
    eachMessage: async ({ topic, partition, message }) => {
      const incoming = {
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      };
      const outcome =
        topic === topics.cooked ? await finishCooked(incoming, deps) : await prepareOrder(incoming, deps);
      if (outcome === 'duplicate') {
        duplicates.inc(labels);
        logger.info({ topic, partition, offset: message.offset }, 'order already handed over; skipped');
      }
    },
  });
} catch (error) {
  if (!shutdown.signal.aborted) {
    logger.error({ err: errorMessage(error) }, 'preparer failed');
    await shutdown.run('failed', 1);
  }
}
