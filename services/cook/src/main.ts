#!/usr/bin/env node
import { connectGroup, deadLetters, producerOptions } from '@chippy/kafka';
import { closeRedis, createRedis, redisReady } from '@chippy/stores';
import { errorMessage, startFailed } from '@chippy/runtime';
import {
  type CookRequest,
  CookRequestSchema,
  defaultPartitions,
  redisCabinet,
  startService,
} from '@chippy/shop';
import { cookRunConfig } from './consumer.js';
import { endOfDay } from './end-of-day.js';
import { openKitchen } from './kitchen.js';
import { cookMetrics } from './metrics.js';
import { createServe, serveCodecs } from './serve.js';
import { cookSettings, stockPolicy, stockPolicyProblem } from './settings.js';

const service = await startService({
  name: 'cook',
  description:
    'The cook: fries what the preparers ask for (group "cooks" on cook-requests) and keeps the hot cabinet stocked.',
  httpPort: 9103,
  settings: cookSettings,
  // Before anything starts: one line and exit 2, like every other bad setting.
  check: stockPolicyProblem,
});
const { config, logger, metrics, shutdown, kafka, topics, serde } = service;
const groupId = service.groups.cooks;
const counted = cookMetrics(metrics);
const redis = createRedis(config.redisUrl, logger, service.readiness('redis'));
const cabinet = redisCabinet(redis, config.topicPrefix);
const admin = kafka.admin();
const producer = kafka.producer(producerOptions());
const consumer = service.groupConsumer(groupId, 'joined the cooks');
// Reverse order on shutdown: close the kitchen (the batch in the fryer is finished and served), stop
// consuming (commits what was answered), count the waste, then the producer, admin and Redis.
shutdown.add('redis', () => closeRedis(redis));
shutdown.add('kafka admin', () => admin.disconnect());
shutdown.add('kafka producer', () => producer.disconnect());
const connected = () => redis.status === 'ready';
shutdown.add('end of day', endOfDay({ connected, cabinet, wasted: counted.wasted, logger }));
shutdown.add('kafka consumer', () => consumer.disconnect());

try {
  await redisReady(redis, shutdown.signal);
  await service.connectAndCreateTopics(admin, ['cookRequests', 'cooked', 'cookBatches', 'ordersDlq']);
  const codecs = await serveCodecs(serde, topics);
  await connectGroup(service, {
    admin,
    producer,
    consumer,
    groupId,
    topics: [topics.cookRequests],
    lagTopics: [topics.cookRequests],
  });
  const kitchen = openKitchen({
    cabinet,
    policy: stockPolicy(config, config.timeScale),
    timeScale: config.timeScale,
    serve: createServe({ ...codecs, producer, topics, cookId: config.cookId, fried: counted.fried, logger }),
    onLook: counted.looked,
    onError: (error) => logger.warn({ err: errorMessage(error) }, 'a turn at the fryer failed; trying again'),
  });
  // Runs before the consumer stops (shutdown goes in reverse order), so no new batch is started.
  shutdown.add('kitchen', () => kitchen.close());
  await consumer.run(
    cookRunConfig({
      // Made once: the decoder caches a resolver per writer schema id.
      decode: serde.decoder<CookRequest>(CookRequestSchema),
      kitchen,
      deadLetter: deadLetters(service, { dlqTopic: topics.ordersDlq, service: 'cook' })(producer),
      partitions: defaultPartitions.cookRequests,
      stopping: shutdown.signal,
      logger,
    }),
  );
} catch (error) {
  await startFailed('cook', error, service);
}
