import type { Admin } from 'kafkajs';
import type { Logger } from './logger.js';

export type TopicNames = ReturnType<typeof topicNames>;

/** The shop's topics, each with the configured prefix. */
export function topicNames(prefix: string) {
  return {
    orders: `${prefix}orders`,
    cookRequests: `${prefix}cook-requests`,
    cooked: `${prefix}cooked`,
    ordersReady: `${prefix}orders-ready`,
    ordersDlq: `${prefix}orders-dlq`,
    cookBatches: `${prefix}cook-batches`,
  };
}

/**
 * The shop's consumer groups. TOPIC_PREFIX names a whole shop, so it prefixes the groups too: two shops
 * on one cluster (or two test runs) never share a group.
 */
export function consumerGroups(prefix: string) {
  return { preparers: `${prefix}preparers`, cooks: `${prefix}cooks` };
}

/** `orders` has 6 so that up to 6 preparers do useful work; the rest need less parallelism. */
export const defaultPartitions: Record<keyof TopicNames, number> = {
  orders: 6,
  cookRequests: 3,
  cooked: 3,
  ordersReady: 3,
  ordersDlq: 3,
  cookBatches: 3,
};

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/** kafkajs's error when every topic it could not create already exists. */
function createdMeanwhile(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] } | undefined)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
}

/**
 * Creates the topics that do not exist yet and waits for their leaders; existing topics are left alone.
 * Only missing topics are sent because kafkajs skips waiting for leaders when any topic in the batch
 * already exists. Another service creating the same topic meanwhile is fine too.
 */
export async function ensureTopics(
  admin: Pick<Admin, 'listTopics' | 'createTopics'>,
  topics: TopicSpec[],
  replicationFactor: number,
  logger: Logger,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter(({ topic }) => !existing.has(topic));
  if (missing.length > 0) {
    let created: boolean;
    try {
      created = await admin.createTopics({
        topics: missing.map(({ topic, numPartitions }) => ({ topic, numPartitions, replicationFactor })),
        waitForLeaders: true,
      });
    } catch (error) {
      if (!createdMeanwhile(error)) throw error;
      // Services started together: another created some of these first. Look again; the rest are made now.
      logger.debug({ topics: missing.map(({ topic }) => topic) }, 'some topics were created meanwhile');
      return ensureTopics(admin, topics, replicationFactor, logger);
    }
    logger.info(
      { topics: missing.map(({ topic }) => topic), replicationFactor, created },
      created ? 'created topics' : 'topics were created by someone else meanwhile',
    );
  }
  const present = topics.filter(({ topic }) => existing.has(topic)).map(({ topic }) => topic);
  if (present.length > 0) logger.debug({ topics: present }, 'topics exist already');
}
