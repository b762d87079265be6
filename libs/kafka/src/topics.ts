import { retry, type Logger } from '@chippy/runtime';
import type { Admin } from 'kafkajs';
import { withKafkaHint, type KafkaConfig } from './kafka.js';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configEntries?: { name: string; value: string }[];
}

/** One topic as the broker has it. */
export interface ActualTopic {
  partitions: number;
  replicationFactor: number;
  /** Topic configs by name, e.g. `retention.ms`; only those asked for. */
  configs: Record<string, string>;
}

/** kafkajs's error when every topic it could not create already exists. */
function createdMeanwhile(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] } | undefined)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
}

/**
 * Creates the topics that do not exist yet, with their declared configs, and waits for their leaders;
 * existing topics are left alone (`connectors topics` reports any drift; changing a live topic is a
 * deliberate act, not something a service restart should do).
 * Only missing topics are sent because kafkajs skips waiting for leaders when any topic in the batch
 * already exists. Another service creating the same topic meanwhile is fine too.
 */
export async function ensureTopics(
  admin: Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata'>,
  topics: TopicSpec[],
  replicationFactor: number,
  logger: Logger,
): Promise<void> {
  await createMissingTopics(admin, topics, replicationFactor, logger);
  // A topic another service has just created (its name listed, or "already exists") may have no leader
  // yet, and subscribing to it then fails with "This server does not host this topic-partition".
  await leadersElected(
    admin,
    topics.map(({ topic }) => topic),
  );
}

async function createMissingTopics(
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
        topics: missing.map(({ topic, numPartitions, configEntries }) => ({
          topic,
          numPartitions,
          replicationFactor,
          ...(configEntries && { configEntries }),
        })),
        waitForLeaders: true,
      });
    } catch (error) {
      if (!createdMeanwhile(error)) throw error;
      // Services started together: another created some of these first. Look again; the rest are made now.
      logger.debug({ topics: missing.map(({ topic }) => topic) }, 'some topics were created meanwhile');
      return createMissingTopics(admin, topics, replicationFactor, logger);
    }
    logger.info(
      { topics: missing.map(({ topic }) => topic), replicationFactor, created },
      created ? 'created topics' : 'topics were created by someone else meanwhile',
    );
  }
  const present = topics.filter(({ topic }) => existing.has(topic)).map(({ topic }) => topic);
  if (present.length > 0) logger.debug({ topics: present }, 'topics exist already');
}

/** Waits until every partition of `names` has a leader; throws (for the caller's retry) if that takes long. */
export async function leadersElected(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  names: string[],
  { attempts = 50, pauseMs = 100 } = {},
): Promise<void> {
  let waiting = names;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { topics } = await admin.fetchTopicMetadata({ topics: names }).catch(() => ({ topics: [] }));
    const led = new Set(
      topics
        .filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
        .map((t) => t.name),
    );
    waiting = names.filter((name) => !led.has(name));
    if (waiting.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`no leader yet for topic(s) ${waiting.join(', ')}`);
}

/** What `describeTopics` needs of kafkajs's admin client. */
export type TopicAdmin = Pick<Admin, 'listTopics' | 'fetchTopicMetadata' | 'describeConfigs'>;

// kafkajs's ConfigResourceTypes.TOPIC (a CommonJS export ES modules cannot import by name).
const TOPIC_RESOURCE = 2;
const configNames = ['cleanup.policy', 'retention.ms'];

/** The broker's partitions, replication and topic configs of those of `names` that exist. */
export async function describeTopics(admin: TopicAdmin, names: string[]): Promise<Map<string, ActualTopic>> {
  const existing = new Set(await admin.listTopics());
  const wanted = names.filter((t) => existing.has(t));
  const found = new Map<string, ActualTopic>();
  if (wanted.length === 0) return found;
  const { topics } = await admin.fetchTopicMetadata({ topics: wanted });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: wanted.map((name) => ({ type: TOPIC_RESOURCE, name, configNames })),
  });
  for (const topic of topics) {
    const resource = resources.find((r) => r.resourceName === topic.name);
    found.set(topic.name, {
      partitions: topic.partitions.length,
      replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
      configs: Object.fromEntries((resource?.configEntries ?? []).map((e) => [e.configName, e.configValue])),
    });
  }
  return found;
}

/**
 * Connects the admin client and creates those of `topics` that are missing (`ensureTopics`), retrying
 * both, with a log line per attempt, until `signal` aborts.
 */
export async function connectAndEnsureTopics(
  admin: Pick<Admin, 'connect' | 'listTopics' | 'createTopics' | 'fetchTopicMetadata'>,
  topics: TopicSpec[],
  options: { config: KafkaConfig; replicationFactor: number; logger: Logger; signal: AbortSignal },
): Promise<void> {
  const { config, replicationFactor, logger, signal } = options;
  const retrying = { logger, signal };
  // The hint says what to check when the error alone does not (e.g. TLS refused, no client certificate).
  const connect = async () => {
    try {
      await admin.connect();
    } catch (error) {
      throw withKafkaHint(error, config);
    }
  };
  await retry('connect to Kafka', connect, retrying);
  await retry('create topics', () => ensureTopics(admin, topics, replicationFactor, logger), retrying);
}
