#!/usr/bin/env node
import { connectGroup, deadLetters, producerOptions } from '@chippy/kafka';
import { closeRedis, createRedis, redisReady } from '@chippy/stores';
import { errorMessage, startFailed } from '@chippy/runtime';
import { redisCabinet, startService } from '@chippy/shop';
import { preparerRunConfig } from './batches.js';
import { handOverWatchdog } from './claims.js';
import { offsetCommits } from './commits.js';
import { exactlyOnce, transactionalProducers } from './exactly-once.js';
import { faultAt } from './fault.js';
import { handOver, handOverCodecs } from './hand-over.js';
import { ledgersFor } from './ledger.js';
import { preparerReport } from './metrics.js';
import { findPublished } from './published.js';
import { batchPaceProblem, batchSizeFor, kafkaClientProblem, preparerSettings } from './settings.js';

const service = await startService({
  name: 'preparer',
  description: 'A food preparer: one of the consumer group "preparers" on the orders topic.',
  httpPort: 9102,
  settings: preparerSettings,
  check: (config) => kafkaClientProblem(config) ?? batchPaceProblem(config),
});
const { config, logger, metrics, shutdown, kafka, topics, serde } = service;
const groupId = service.groups.preparers;
const redis = createRedis(config.redisUrl, logger, service.readiness('redis'));
const admin = kafka.admin();
const producer = kafka.producer(producerOptions());
const consumer = service.groupConsumer(groupId, 'joined the preparers');
const { topicPrefix } = config;
const txProducers = transactionalProducers({ kafka, admin, groupId, topicPrefix, logger });
const commits = offsetCommits({ intervalMs: config.commitIntervalMs, logger });
// Reverse order on shutdown: commit what is done and stop consuming (the batch in hand commits as it
// ends), then the producers, Redis and admin.
shutdown.add('redis', () => closeRedis(redis));
shutdown.add('kafka admin', () => admin.disconnect());
shutdown.add('kafka producer', () => producer.disconnect());
shutdown.add('transactional producers', () => txProducers.closeAll());
shutdown.add('kafka consumer', async () => {
  commits.stop();
  try {
    await commits.flush();
  } finally {
    await consumer.disconnect();
  }
});

try {
  await redisReady(redis, shutdown.signal);
  await service.connectAndCreateTopics(admin, [
    'orders',
    'ordersReady',
    'cookRequests',
    'cooked',
    'ordersDlq',
  ]);
  const transactional = config.delivery === 'exactly-once';
  const claiming = !transactional && config.dedup === 'ledger';
  const prepare = handOver({
    ...(await handOverCodecs(serde, topics)),
    preparerId: config.preparerId,
    timeScale: config.timeScale,
    topics,
    findPublished: (ids, since) => findPublished(kafka, admin, topics.ordersReady, ids, since),
    deadLetters: deadLetters(service, { dlqTopic: topics.ordersDlq, service: 'preparer' }),
    fault: faultAt(config.fault, logger),
    ...(claiming && { handOverDeadline: handOverWatchdog(logger) }),
    stopping: shutdown.signal,
    logger,
  });
  const ledgers = ledgersFor(config.dedup, redisCabinet(redis, topicPrefix), config.preparerId);
  const { report, transactionEnded } = preparerReport(metrics, config.preparerId, logger);
  const eo = exactlyOnce({
    groupId,
    producers: txProducers,
    ledger: ledgers.inTransaction,
    prepare,
    transactionEnded,
    logger,
  });
  if (transactional) consumer.on(consumer.events.GROUP_JOIN, () => void eo.rebalanced());
  // kafkajs joins again without committing, so the partitions' next owners would re-read what is done. (The
  // other clients' adapters do not have the event: there a rebalance re-reads up to an interval, which the
  // ledger skips.)
  else if (config.kafkaClient === 'kafkajs')
    consumer.on(consumer.events.REBALANCING, () => {
      commits.flush().catch((error: unknown) => {
        logger.warn({ err: errorMessage(error) }, 'offsets not committed before the rebalance');
      });
    });
  await connectGroup(service, {
    admin,
    producer,
    consumer,
    groupId,
    topics: [topics.orders, topics.cooked],
    lagTopics: [topics.orders],
  });
  await consumer.run(
    preparerRunConfig({
      batchSize: batchSizeFor(config.batchSize, config.timeScale),
      concurrency: config.concurrency,
      transactional,
      commits,
      prepare: (part) => (transactional ? eo.prepare(part) : prepare(part, producer, ledgers.atLeastOnce)),
      report,
      stopping: shutdown.signal,
      logger,
    }),
  );
} catch (error) {
  await startFailed('preparer', error, service);
}
