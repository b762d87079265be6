import { retry, type Logger, type Metrics, type Shutdown } from '@chippy/runtime';
import type { Admin, Consumer, Producer } from 'kafkajs';
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
