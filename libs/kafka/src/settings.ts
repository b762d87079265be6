import {
  parseBoolean,
  parseEnum,
  parseHostPortList,
  parseInteger,
  parseString,
  parseUrl,
  setting,
} from '@chippy/runtime';
import { parseCertsDir } from './kafka.js';
import { latestOrderSchemaVersion } from './schema-versions.js';

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
 * How a chippy process reaches Kafka and the schema registry, writes the shop's messages, and names and
 * makes its topics.
 */
export const kafkaSettings = {
  kafkaUri: setting({
    env: 'KAFKA_SERVICE_URI',
    flag: '--kafka-uri',
    short: '-k',
    description: 'Kafka bootstrap servers, host:port[,host:port]',
    default: '127.0.0.1:9092',
    parse: parseHostPortList,
  }),
  certsDir: setting({
    env: 'KAFKA_CERTS_DIR',
    flag: '--certs-dir',
    short: '-d',
    description:
      'directory with ca.pem, service.cert, service.key; SSL with client certificates is used if they exist',
    default: 'certs',
    // Only a directory named explicitly is checked; the default may be absent (then no TLS).
    parse: parseCertsDir,
  }),
  saslMechanism: setting({
    env: 'KAFKA_SASL_MECHANISM',
    flag: '--sasl-mechanism',
    description: 'Kafka SASL mechanism',
    default: 'none',
    parse: parseEnum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']),
  }),
  saslUsername: setting({
    env: 'KAFKA_SASL_USERNAME',
    flag: '--sasl-username',
    description: 'Kafka SASL user name',
    default: '',
    parse: parseString,
  }),
  saslPassword: setting({
    env: 'KAFKA_SASL_PASSWORD',
    flag: '--sasl-password',
    description: 'Kafka SASL password',
    default: '',
    parse: parseString,
    secret: true,
  }),
  saslPlaintext: setting({
    env: 'KAFKA_SASL_PLAINTEXT',
    flag: '--sasl-plaintext',
    description:
      'allow SASL without TLS (no ca.pem in KAFKA_CERTS_DIR): the password, or with SCRAM its proof, crosses the network in clear',
    default: false,
    parse: parseBoolean,
  }),
  kafkaClient: setting({
    env: 'KAFKA_CLIENT',
    flag: '--kafka-client',
    description:
      'Kafka client library: kafkajs, confluent (@confluentinc/kafka-javascript, installed separately) or platformatic (@platformatic/kafka; not with DELIVERY=exactly-once)',
    default: 'kafkajs',
    parse: parseEnum(['kafkajs', 'confluent', 'platformatic'] as const),
  }),
  schemaRegistryUri: setting({
    env: 'SCHEMA_REGISTRY_URI',
    flag: '--schema-uri',
    short: '-s',
    description: 'schema registry (Confluent API) base URL; may carry user:password@ for basic auth',
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    parse: parseUrl(['http', 'https']),
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

/**
 * KAFKA_CLIENT and DELIVERY that do not fit together, as a one-line message naming both, or undefined:
 * @platformatic/kafka's transactions are not bridged, for two faults of its own (docs/decisions/kafka-client.md).
 */
export function kafkaClientProblem(values: { kafkaClient?: string; delivery?: string }): string | undefined {
  if (values.kafkaClient === 'platformatic' && values.delivery === 'exactly-once') {
    return (
      'KAFKA_CLIENT=platformatic (--kafka-client) cannot run DELIVERY=exactly-once (--delivery): ' +
      "@platformatic/kafka's transactions cannot take over a transactional id from an earlier producer and " +
      'can show aborted records to read_committed readers; use KAFKA_CLIENT=kafkajs or DELIVERY=at-least-once'
    );
  }
  return undefined;
}

const { kafkaUri, certsDir, saslMechanism, saslUsername, saslPassword, saslPlaintext, schemaRegistryUri } =
  kafkaSettings;

/** Reaching Kafka and the registry, and no more: what `npm run check` and `npm run floor` take. */
export const kafkaAccessSettings = {
  kafkaUri,
  certsDir,
  saslMechanism,
  saslUsername,
  saslPassword,
  saslPlaintext,
  schemaRegistryUri,
};

/** Kafka Connect's REST API, for the tools that talk to it (`npm run check`, the connector commands). */
export const connectUrlSetting = setting({
  env: 'CONNECT_URL',
  flag: '--connect-url',
  description: 'Kafka Connect REST URL',
  default: 'http://127.0.0.1:8083',
  parse: parseUrl(['http', 'https']),
});
