import type { ActualTopic, TopicSpec } from '@chippy/kafka';

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
 * partitions than declared is drift too: keys then map to other partitions than declared here.
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
