import type { Logger } from '@chippy/runtime';
import type { Admin } from 'kafkajs';

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

const DAY_MS = 24 * 60 * 60 * 1000;

/** How one topic is made; replication comes from TOPIC_REPLICATION_FACTOR (it depends on the cluster). */
export interface TopicDeclaration {
  partitions: number;
  /** `delete` for every topic here: each message is an event, none is the latest state of its key. */
  cleanupPolicy: 'delete' | 'compact';
  retentionMs: number;
  /** The record its values carry (subject `<topic>-value`); none for the dead letters (any bytes). */
  valueSchema?: 'Order' | 'CookRequest' | 'Cooked' | 'OrderReady' | 'CookBatch';
  /** Why these numbers, for the `topics` report and for whoever changes them. */
  why: string;
}

/**
 * Every topic of the shop, in one place: services create the missing ones from this at start-up and
 * `connectors topics` compares the broker's with it. Retention: 7 days for the order flow, as long as the
 * preparers' ledger remembers an order (an order older than its ledger entry could be prepared twice if a
 * group were reset to the start); the dead letters 30 days, for a person to look at them.
 */
export const topicDeclarations: Record<keyof TopicNames, TopicDeclaration> = {
  orders: {
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    valueSchema: 'Order',
    why: 'up to 6 preparers do useful work (ORDERS_PARTITIONS overrides it at creation)',
  },
  cookRequests: {
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    valueSchema: 'CookRequest',
    why: 'one cook at a time; 3 leaves room for more',
  },
  cooked: {
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    valueSchema: 'Cooked',
    why: 'read by the preparers group',
  },
  ordersReady: {
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    valueSchema: 'OrderReady',
    why: 'the hand-over record a preparer reads back after a crash',
  },
  ordersDlq: {
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    why: 'dead letters wait for a person',
  },
  cookBatches: {
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    valueSchema: 'CookBatch',
    why: 'the floor shows restocks from it',
  },
};

/** Partitions per topic as declared. */
export const defaultPartitions = Object.fromEntries(
  Object.entries(topicDeclarations).map(([key, d]) => [key, d.partitions]),
) as Record<keyof TopicNames, number>;

/** The topic configs a declaration sets, as Kafka names them. */
export const topicConfigEntries = (d: TopicDeclaration) => [
  { name: 'cleanup.policy', value: d.cleanupPolicy },
  { name: 'retention.ms', value: String(d.retentionMs) },
];

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configEntries?: { name: string; value: string }[];
}

/** What to create for the named topics of a shop; `ordersPartitions` is the ORDERS_PARTITIONS override. */
export function topicSpecs(
  prefix: string,
  which: (keyof TopicNames)[],
  ordersPartitions = topicDeclarations.orders.partitions,
): TopicSpec[] {
  const names = topicNames(prefix);
  return which.map((key) => ({
    topic: names[key],
    numPartitions: key === 'orders' ? ordersPartitions : topicDeclarations[key].partitions,
    configEntries: topicConfigEntries(topicDeclarations[key]),
  }));
}

/** One topic as the broker has it. */
export interface ActualTopic {
  partitions: number;
  replicationFactor: number;
  /** Topic configs by name, e.g. `retention.ms`; only those asked for. */
  configs: Record<string, string>;
}

/** One line of the `topics` report: a setting of a topic, declared and actual. */
export interface TopicSettingReport {
  key: keyof TopicNames;
  topic: string;
  setting: 'partitions' | 'replication' | 'cleanup.policy' | 'retention.ms';
  declared: string;
  actual: string;
  drift: boolean;
}

/**
 * The declared settings of each topic beside the broker's (`undefined`: the topic does not exist). More
 * partitions than declared is drift too: keys then map to other partitions than the design says.
 */
export function compareTopics(
  prefix: string,
  replicationFactor: number,
  actual: (topic: string) => ActualTopic | undefined,
  ordersPartitions = topicDeclarations.orders.partitions,
): TopicSettingReport[] {
  const keys = Object.keys(topicDeclarations) as (keyof TopicNames)[];
  const specs = topicSpecs(prefix, keys, ordersPartitions);
  return keys.flatMap((key, i) => {
    const spec = specs[i]!;
    const found = actual(spec.topic);
    type Row = [TopicSettingReport['setting'], string, string | undefined];
    const rows: Row[] = [
      ['partitions', String(spec.numPartitions), found && String(found.partitions)],
      ['replication', String(replicationFactor), found && String(found.replicationFactor)],
      ...(spec.configEntries ?? []).map(({ name, value }): Row => [
        name as Row[0],
        value,
        found && found.configs[name],
      ]),
    ];
    return rows.map(([setting, declared, value]) => ({
      key,
      topic: spec.topic,
      setting,
      declared,
      actual: value ?? 'missing',
      drift: value !== declared,
    }));
  });
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

/** The broker's partitions, replication and topic configs of the shop's topics that exist. */
export async function describeTopics(admin: TopicAdmin, prefix: string): Promise<Map<string, ActualTopic>> {
  const existing = new Set(await admin.listTopics());
  const wanted = Object.values(topicNames(prefix)).filter((t) => existing.has(t));
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
