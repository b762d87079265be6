import { parseBoolean, parseEnum, parseHostPortList, parseString, parseUrl, setting } from '@chippy/runtime';
import { parseCertsDir } from './kafka.js';

/** How a process reaches Kafka and the schema registry, and which client library it does so with. */
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
};

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
