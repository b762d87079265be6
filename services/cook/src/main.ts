import { defaultPartitions, producerOptions, sendToDlq, startLagMonitor, startService } from '@chippy/kafka';
import { errorMessage, retry } from '@chippy/runtime';
import {
  closeRedis,
  cabinetItems,
  createRedis,
  CookBatchSchema,
  CookedSchema,
  CookRequestSchema,
  redisCabinet,
  redisReady,
  type CookBatch,
  type Cooked,
  type CookRequest,
} from '@chippy/shop';
import { nonZero, stockedItems, type StockPolicy } from './batch.js';
import { cookRequests } from './cook.js';
import { KitchenClosed, openKitchen, type Fried } from './kitchen.js';
import { cookSettings, stockPolicy } from './settings.js';

const service = await startService({
  name: 'cook',
  description:
    'The cook: fries what the preparers ask for (group "cooks" on cook-requests) and keeps the hot cabinet stocked.',
  httpPort: 9103,
  settings: cookSettings,
  // Before anything starts: one line and exit 2, like every other bad setting.
  check: (values) => {
    const policy = stockPolicy(values, 1);
    return typeof policy === 'string' ? policy : undefined;
  },
});
const { config, logger, metrics, shutdown, kafka, topics } = service;
const policy = stockPolicy(config, config.timeScale) as StockPolicy;
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
const targetPortions = metrics.gauge(
  'chippy_cook_target_portions',
  'What a batch brings the cabinet up to, for the demand observed',
  ['item'],
);
const lowWaterPortions = metrics.gauge(
  'chippy_cook_low_water_portions',
  'Below this the cook fries, for the demand observed',
  ['item'],
);
const demandRate = metrics.gauge(
  'chippy_cook_demand_portions_per_second',
  'Portions the preparers took per second over the last 30 s',
  ['item'],
);
const waitingRequests = metrics.gauge('chippy_cook_waiting_requests', 'Cook requests waiting for the fryer');
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

/** What is left at close is waste. The cabinet is not emptied: another cook may still be open. */
async function closeTheDay(): Promise<void> {
  if (redis.status !== 'ready') return void logger.warn('end of day: Redis not connected, waste unknown');
  const left = await cabinet.levels();
  for (const item of cabinetItems) waste.set({ item }, left[item]);
  logger.info({ waste: left }, 'end of day: waste');
}

// Reverse order on shutdown: close the kitchen (the batch in the fryer is finished and served), stop
// consuming (commits what was answered), count the waste, then the producer, admin and Redis.
shutdown.add('redis', () => closeRedis(redis));
shutdown.add('kafka admin', () => admin.disconnect());
shutdown.add('kafka producer', () => producer.disconnect());
shutdown.add('end of day', closeTheDay);
shutdown.add('kafka consumer', () => consumer.disconnect());

try {
  await redisReady(redis, shutdown.signal);
  await service.connectAndCreateTopics(admin, ['cookRequests', 'cooked', 'cookBatches', 'ordersDlq']);
  const { serde } = service;
  const decode = serde.decoder<CookRequest>(CookRequestSchema);
  const encodeCooked = await serde.encoder<Cooked>(topics.cooked, CookedSchema);
  const encodeBatch = await serde.encoder<CookBatch>(topics.cookBatches, CookBatchSchema);
  await retry('connect the producer', () => producer.connect(), retrying);
  await retry('connect the consumer', () => consumer.connect(), retrying);
  await consumer.subscribe({ topic: topics.cookRequests, fromBeginning: true });

  /** A batch's answers and its record in one produce call. */
  async function serve(fried: Fried): Promise<void> {
    const cooked = nonZero(fried.batch);
    const answers = await Promise.all(
      fried.answered.map(async (request) => ({
        key: request.order.order_id,
        value: await encodeCooked({
          order: request.order,
          cooked,
          cook: config.cookId,
          prepare_started: request.prepare_started,
          attempt: request.attempt,
        }),
      })),
    );
    const topicMessages = [{ topic: topics.cooked, messages: answers }];
    if (Object.keys(cooked).length > 0) {
      const record: CookBatch = {
        batch_id: fried.batchId,
        cook: config.cookId,
        started: fried.started,
        finished: fried.finished,
        fried: cooked,
        orders: fried.answered.map((r) => r.order.order_id),
      };
      topicMessages.push({
        topic: topics.cookBatches,
        messages: [{ key: config.cookId, value: await encodeBatch(record) }],
      });
    }
    await producer.sendBatch({ topicMessages });
    for (const item of cabinetItems) {
      if (fried.batch[item] === 0) continue;
      batches.inc({ item });
      portions.inc({ item }, fried.batch[item]);
    }
    if (Object.keys(cooked).length > 0) {
      const msg = fried.answered.length > 0 ? 'batch fried' : 'restocked';
      logger.info({ batch: cooked, requests: fried.answered.length }, msg);
    }
    fried.answered.forEach((request, i) =>
      logger.info(
        { order_id: request.order.order_id, attempt: request.attempt, batch: cooked, added: fried.fresh[i] },
        'order cooked',
      ),
    );
  }

  const kitchen = openKitchen({
    cabinet,
    policy,
    timeScale: config.timeScale,
    serve,
    onLook(levels, stock, demand, waiting) {
      for (const item of cabinetItems) cabinetPortions.set({ item }, levels[item]);
      for (const item of stockedItems) {
        targetPortions.set({ item }, stock.target[item]);
        lowWaterPortions.set({ item }, stock.lowWater[item]);
        demandRate.set({ item }, demand[item]);
      }
      waitingRequests.set(waiting);
    },
    onError: (error) => logger.warn({ err: errorMessage(error) }, 'a turn at the fryer failed; trying again'),
  });
  // Runs before the consumer stops (shutdown goes in reverse order), so no new batch is started.
  shutdown.add('kitchen', () => kitchen.close());

  const lag = startLagMonitor({
    admin,
    groupId,
    topics: [topics.cookRequests],
    gauge: metrics.consumerLag,
    intervalMs: 5000,
    logger,
  });
  shutdown.add('lag monitor', () => Promise.resolve(lag.stop()));

  await consumer.run({
    // Every partition's requests reach the kitchen at once, so one batch answers them all.
    partitionsConsumedConcurrently: defaultPartitions.cookRequests,
    eachBatchAutoResolve: false,
    eachBatch: async (fetched) => {
      const { batch } = fetched;
      const last = batch.messages.at(-1);
      if (!last) return;
      // The fryer may take a batch or two: keep the group membership alive meanwhile.
      const beat = setInterval(() => void fetched.heartbeat().catch(() => undefined), 3000);
      try {
        await cookRequests(
          batch.messages.map((m) => ({ ...m, topic: batch.topic, partition: batch.partition })),
          {
            decode,
            kitchen,
            async deadLetter(original, reason, error) {
              await sendToDlq(producer, {
                dlqTopic: topics.ordersDlq,
                message: { ...original, headers: original.headers ?? {} },
                reason,
                error,
                service: 'cook',
                counter: metrics.dlqMessages,
              });
              logger.warn(
                {
                  topic: original.topic,
                  partition: original.partition,
                  offset: original.offset,
                  reason,
                  error,
                },
                'message sent to the dead-letter topic',
              );
            },
          },
        );
        fetched.resolveOffset(last.offset);
      } catch (error) {
        // Closing: these requests were not cooked; their offsets stay uncommitted for the next cook.
        if (!(error instanceof KitchenClosed)) throw error;
      } finally {
        clearInterval(beat);
      }
    },
  });
} catch (error) {
  if (!shutdown.signal.aborted) {
    logger.error({ err: errorMessage(error) }, 'cook failed');
    await shutdown.run('failed', 1);
  }
}
