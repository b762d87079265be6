import {
  closeRedis,
  cabinetItems,
  createRedis,
  CookedSchema,
  CookRequestSchema,
  errorMessage,
  producerOptions,
  redisCabinet,
  redisReady,
  retry,
  sendToDlq,
  startLagMonitor,
  startService,
  type Cooked,
  type CookRequest,
  type Portions,
} from '@chippy/messaging';
import { nonZero, type StockLevels } from './batch.js';
import { cookOrder } from './cook.js';
import type { Kitchen } from './kitchen.js';
import { createLock } from './lock.js';
import { keepStocked } from './restock.js';
import { cookSettings, stockLevels } from './settings.js';

const service = await startService({
  name: 'cook',
  description:
    'The cook: fries what the preparers ask for (group "cooks" on cook-requests) and keeps the hot cabinet stocked.',
  httpPort: 9103,
  settings: cookSettings,
  // Before anything starts: one line and exit 2, like every other bad setting.
  check: (values) => {
    const levels = stockLevels(values);
    return typeof levels === 'string' ? levels : undefined;
  },
});
const { config, logger, metrics, shutdown, kafka, topics } = service;
const stock = stockLevels(config) as StockLevels;
const groupId = service.groups.cooks;
const retrying = { logger, signal: shutdown.signal };

const batches = metrics.counter('chippy_cook_batches_total', 'Batches put in the cabinet, per item', [
  'item',
]);
const portions = metrics.counter('chippy_cook_portions_total', 'Portions put in the cabinet', ['item']);
const cabinetPortions = metrics.gauge(
  'chippy_cabinet_portions',
  'Portions in the cabinet when the cook last looked',
  ['item'],
);
const waste = metrics.gauge('chippy_cabinet_waste_portions', 'Portions left in the cabinet at close', [
  'item',
]);
// Every item has a series from the start, so totals can be compared with Redis before the first batch.
for (const item of cabinetItems) {
  batches.inc({ item }, 0);
  portions.inc({ item }, 0);
}

const redis = createRedis(config.redisUrl, logger, service.readiness('redis'));
const cabinet = redisCabinet(redis, config.topicPrefix);
const admin = kafka.admin();
const producer = kafka.producer(producerOptions());
const consumer = service.groupConsumer(groupId, 'joined the cooks');

const showLevels = (levels: Portions) => {
  for (const item of cabinetItems) cabinetPortions.set({ item }, levels[item]);
};
const kitchen: Kitchen = {
  timeScale: config.timeScale,
  cabinet,
  fryer: createLock(),
  onLevels: showLevels,
  async onAdded(batch) {
    for (const item of cabinetItems) {
      if (batch[item] === 0) continue;
      batches.inc({ item });
      portions.inc({ item }, batch[item]);
    }
    showLevels(await cabinet.levels());
  },
};

/** What is left at close is waste. The cabinet is not emptied: another cook may still be open. */
async function closeTheDay(): Promise<void> {
  if (redis.status !== 'ready') return void logger.warn('end of day: Redis not connected, waste unknown');
  const left = await cabinet.levels();
  for (const item of cabinetItems) waste.set({ item }, left[item]);
  logger.info({ waste: left }, 'end of day: waste');
}

// Reverse order on shutdown: stop consuming (commits what is done), count the waste, then the producer,
// admin and Redis.
shutdown.add('redis', () => closeRedis(redis));
shutdown.add('kafka admin', () => admin.disconnect());
shutdown.add('kafka producer', () => producer.disconnect());
shutdown.add('end of day', closeTheDay);
shutdown.add('kafka consumer', () => consumer.disconnect());

try {
  await redisReady(redis, shutdown.signal);
  await service.connectAndCreateTopics(admin, ['cookRequests', 'cooked', 'ordersDlq']);
  const { serde } = service;
  const decode = serde.decoder<CookRequest>(CookRequestSchema);
  const encodeCooked = await serde.encoder<Cooked>(topics.cooked, CookedSchema);
  await retry('connect the producer', () => producer.connect(), retrying);
  await retry('connect the consumer', () => consumer.connect(), retrying);
  await consumer.subscribe({ topic: topics.cookRequests, fromBeginning: true });

  const lag = startLagMonitor({
    admin,
    groupId,
    topics: [topics.cookRequests],
    gauge: metrics.consumerLag,
    intervalMs: 5000,
    logger,
  });
  shutdown.add('lag monitor', () => Promise.resolve(lag.stop()));

  // One message at a time (the default): the cook is one person with one fryer.
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const result = await cookOrder(
        { topic, partition, offset: message.offset, key: message.key, value: message.value },
        {
          ...kitchen,
          cookId: config.cookId,
          target: stock.target,
          decode,
          async send(cooked) {
            await producer.send({
              topic: topics.cooked,
              acks: -1,
              messages: [{ key: cooked.order.order_id, value: await encodeCooked(cooked) }],
            });
          },
          async deadLetter(original, reason, error) {
            await sendToDlq(producer, {
              dlqTopic: topics.ordersDlq,
              message: { ...original, headers: message.headers ?? {} },
              reason,
              error,
              service: 'cook',
              counter: metrics.dlqMessages,
            });
            logger.warn(
              { topic, partition, offset: message.offset, reason, error },
              'message sent to the dead-letter topic',
            );
          },
        },
      );
      if (result.outcome === 'cooked') {
        const { cooked, added } = result;
        logger.info(
          { order_id: cooked.order.order_id, batch: cooked.cooked, attempt: cooked.attempt, added },
          'order cooked',
        );
      }
    },
  });

  const restocking = keepStocked(
    { ...kitchen, stock },
    {
      intervalMs: config.restockInterval * 1000,
      signal: shutdown.signal,
      onRestocked: (batch) => logger.info({ batch: nonZero(batch) }, 'restocked'),
      onError: (error) => logger.warn({ err: errorMessage(error) }, 'restock failed'),
    },
  );
  shutdown.add('restocking', () => restocking);
} catch (error) {
  if (!shutdown.signal.aborted) {
    logger.error({ err: errorMessage(error) }, 'cook failed');
    await shutdown.run('failed', 1);
  }
}
