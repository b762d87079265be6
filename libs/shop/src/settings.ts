import { parseEnum, parseInteger, parseNumber, setting } from '@chippy/runtime';
import { latestOrderSchemaVersion } from './order-versions.js';
import { idProblem } from './valid.js';

/** A till, preparer or cook id as every reader accepts it (libs/shop/src/valid.ts). */
export const parseId = (raw: string): string => {
  const problem = idProblem('the name', raw);
  if (problem) throw new Error(problem);
  return raw;
};

/** The longest topic name a prefix is put in front of: the JDBC sink's dead-letter topic. */
const LONGEST_TOPIC = 'orders-sink-dlq'.length;

/**
 * A prefix for topic names: Kafka allows only ASCII letters, digits, `.`, `_` and `-` in a name of at most
 * 249 characters, and a bad name is refused only when the topic is created, which a service retries.
 */
export const parseTopicPrefix = (raw: string): string => {
  if (!/^[A-Za-z0-9._-]*$/.test(raw)) {
    throw new Error(`${JSON.stringify(raw)} may hold only ASCII letters, digits, '.', '_' and '-'`);
  }
  if (raw.length + LONGEST_TOPIC > 249) {
    throw new Error(`${JSON.stringify(raw)} is too long: topic names have at most 249 characters`);
  }
  return raw;
};

/**
 * The settings of the shop itself: its pace, how it writes its orders, and how its topics are named and
 * made. Reaching Kafka is @chippy/kafka's `kafkaSettings`; Redis and PostgreSQL are @chippy/stores's.
 */
export const shopSettings = {
  timeScale: setting({
    env: 'TIME_SCALE',
    flag: '--time-scale',
    description: 'multiplies every simulated duration; 0 = no waiting',
    default: 1,
    parse: parseNumber({ min: 0 }),
  }),
  orderFormat: setting({
    env: 'ORDER_FORMAT',
    flag: '--order-format',
    description: 'wire format of produced orders',
    default: 'avro',
    parse: parseEnum(['avro', 'json']),
  }),
  orderSchemaVersion: setting({
    env: 'ORDER_SCHEMA_VERSION',
    flag: '--order-schema-version',
    description: `version of the Order schema this service writes and reads (1 = connectors/schemas/history/order.v1.avsc, without payment): an older one runs beside newer services, as during a rolling upgrade`,
    default: latestOrderSchemaVersion,
    parse: parseInteger({ min: 1, max: latestOrderSchemaVersion }),
  }),
  topicPrefix: setting({
    env: 'TOPIC_PREFIX',
    flag: '--topic-prefix',
    description: 'prefix for every topic name',
    default: '',
    parse: parseTopicPrefix,
  }),
  ordersPartitions: setting({
    env: 'ORDERS_PARTITIONS',
    flag: '--orders-partitions',
    description:
      'partitions of the orders topic when this service creates it (an existing topic keeps its own); 3 replays demo3',
    default: 6,
    parse: parseInteger({ min: 1, max: 1000 }),
  }),
  replicationFactor: setting({
    env: 'TOPIC_REPLICATION_FACTOR',
    flag: '--replication-factor',
    description: 'replication factor for topics this service creates',
    default: 1,
    parse: parseInteger({ min: 1 }),
  }),
};
