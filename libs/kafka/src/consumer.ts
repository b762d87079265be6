import { errorMessage, retry, type Logger, type Metrics, type Shutdown } from '@chippy/runtime';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { consumerOptions } from './kafka.js';
import { sendToDlq, type ConsumedMessage } from './dlq.js';
import { startLagMonitor } from './lag.js';

/** What a consuming service lends the wiring: a started service has all three. */
export interface ConsumerContext {
  logger: Logger;
  shutdown: Pick<Shutdown, 'add' | 'signal'>;
  metrics: Pick<Metrics, 'consumerLag' | 'dlqMessages'>;
}

export interface GroupClients {
  admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>;
  producer: Pick<Producer, 'connect'>;
  consumer: Pick<Consumer, 'connect' | 'subscribe'>;
  groupId: string;
  /** The topics the group reads, from the earliest offset where it has committed none. */
  topics: string[];
  /** The topics whose lag `chippy_consumer_lag` shows. */
  lagTopics: string[];
}

/**
 * A consume → produce service's start once its topics exist: connects the producer and the group's
 * consumer (each retried until it works or shutdown begins), subscribes, and samples the group's lag until
 * shutdown. The caller runs the consumer.
 */
export async function connectGroup(
  { logger, shutdown, metrics }: ConsumerContext,
  { admin, producer, consumer, groupId, topics, lagTopics }: GroupClients,
): Promise<void> {
  const retrying = { logger, signal: shutdown.signal };
  await retry('connect the producer', () => producer.connect(), retrying);
  await retry('connect the consumer', () => consumer.connect(), retrying);
  await consumer.subscribe({ topics, fromBeginning: true });
  const lag = startLagMonitor({
    admin,
    groupId,
    topics: lagTopics,
    gauge: metrics.consumerLag,
    intervalMs: 5000,
    logger,
  });
  shutdown.add('lag monitor', () => lag.stop());
}

/** Parks a message that can never be handled; resolves once the dead letter is acknowledged. */
export type DeadLetter = (message: ConsumedMessage, reason: string, error: string) => Promise<void>;

/**
 * Dead letters to `dlqTopic`, each counted and logged, sent through the given producer (or a transaction,
 * so that a parked message commits with the rest of its batch).
 */
export function deadLetters(
  { logger, metrics }: Pick<ConsumerContext, 'logger' | 'metrics'>,
  { dlqTopic, service }: { dlqTopic: string; service: string },
): (sender: Pick<Producer, 'send'>) => DeadLetter {
  return (sender) => async (message, reason, error) => {
    await sendToDlq(sender, { dlqTopic, message, reason, error, service, counter: metrics.dlqMessages });
    const { topic, partition, offset } = message;
    logger.warn({ topic, partition, offset, reason, err: error }, 'message sent to the dead-letter topic');
  };
}

export interface GroupConsumerOptions {
  groupId: string;
  /** Logged, with the member id and assignment, each time the consumer joins its group. */
  joinedMessage: string;
  logger: Logger;
  shutdown: Pick<Shutdown, 'signal' | 'run'>;
  /** Told true once the consumer has joined, false after a crash until it joins again (/readyz). */
  joined: (ready: boolean) => void;
}

/**
 * A member of the consumer group `groupId`, with the services' consumer options: reports joining and
 * crashing, runs itself again when kafkajs gives up on an outage, and exits the process (for a supervisor
 * to restart it) after any other crash kafkajs does not restart from.
 */
export function groupConsumer(
  kafka: Pick<Kafka, 'consumer'>,
  { groupId, joinedMessage, logger, shutdown, joined }: GroupConsumerOptions,
): Consumer {
  const consumer = kafka.consumer(consumerOptions(groupId));
  // kafkajs gives up for good when no broker answers its group-coordinator lookup (a broker restart
  // at the wrong moment: node_modules/kafkajs/src/cluster/index.js, findGroupCoordinator), though
  // that is an outage like any other. Such a crash runs the consumer again, as kafkajs's own restart
  // would, after a pause; the run's configuration is kept for it.
  let runConfig: Parameters<Consumer['run']>[0];
  const run = consumer.run.bind(consumer);
  consumer.run = (config) => {
    runConfig = config;
    return run(config);
  };
  const rerun = async () => {
    await retry(
      'run the consumer again',
      async () => {
        await consumer.connect();
        await run(runConfig);
      },
      { logger, signal: shutdown.signal, maxMs: 10_000 },
    );
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    logger.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, joinedMessage);
    joined(true);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined(false);
    // Once shutdown has begun, a consumer failing on its way out is expected, not an error.
    const level = shutdown.signal.aborted ? 'warn' : 'error';
    logger[level]({ err: payload.error.message, restart: payload.restart }, 'consumer crashed');
    // After a non-retriable error kafkajs does not restart the consumer: the process would stay alive
    // consuming nothing. Exit 1 instead, so a supervisor restarts it and the message is redelivered.
    if (payload.restart || shutdown.signal.aborted) return;
    if (coordinatorUnreachable(payload.error)) {
      logger.warn('no broker answered for the group coordinator: running the consumer again');
      void rerun().catch((error: unknown) => {
        if (!shutdown.signal.aborted)
          logger.error({ err: errorMessage(error) }, 'the consumer did not run again');
        void shutdown.run('consumer crashed for good', 1);
      });
      return;
    }
    void shutdown.run('consumer crashed for good', 1);
  });
  return consumer;
}

/** Whether a consumer crashed because no broker answered its group-coordinator lookup (see groupConsumer). */
export function coordinatorUnreachable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause)
    if (e.name === 'KafkaJSGroupCoordinatorNotFound' || e.message === 'Failed to find group coordinator')
      return true;
  return false;
}

/**
 * Keeps a group member's heartbeats going every `everyMs` while a fetched batch is in hand (the cook's
 * fryer, a preparer's wait for another's claim), so a long batch does not cost the membership; kafkajs
 * sends at most one per heartbeat interval. A refused heartbeat (mid-rebalance) goes to `failed`. Returns
 * the stop.
 */
export function heartbeatMeanwhile(
  heartbeat: () => Promise<void>,
  everyMs: number,
  failed: (error: unknown) => void = () => undefined,
): () => void {
  const timer = setInterval(() => void heartbeat().catch(failed), everyMs);
  return () => clearInterval(timer);
}
