import { connectUrlSetting, kafkaSettings } from '@chippy/kafka';
import {
  parseEnum,
  parseInteger,
  parseNumber,
  parseString,
  parseUrl,
  runtimeSettings,
  setting,
  withDefault,
  type ConfigValues,
} from '@chippy/runtime';
import { shopSettings } from '@chippy/shop';
import { storeSettings } from '@chippy/stores';

export const targets = ['local', 'compose', 'karapace', 'aiven'] as const;
export type Target = (typeof targets)[number];

const { schemaRegistryUri } = kafkaSettings;
const { topicPrefix, replicationFactor } = shopSettings;
const { logLevel, httpPort } = runtimeSettings;
const { databaseUrl } = storeSettings;

/** What `migrate` and the connector commands read; every one also has a flag (`--help`). */
export const connectorSettings = {
  connectUrl: connectUrlSetting,
  target: setting({
    env: 'CONNECTOR_TARGET',
    flag: '--target',
    description:
      'which Connect the sink runs on: local (native stack: Debezium + Apicurio), compose (Docker Compose: Debezium + Apicurio, the password from the worker), karapace (Kubernetes), aiven (Aiven for Apache Kafka)',
    default: 'local',
    parse: parseEnum(targets),
  }),
  format: setting({
    env: 'ORDER_FORMAT',
    flag: '--format',
    description: 'the format the tills write: avro (registry) or json (embedded Connect schema)',
    default: 'avro',
    parse: parseEnum(['avro', 'json']),
  }),
  databaseUrl,
  connectDatabaseUrl: setting({
    env: 'CONNECT_DATABASE_URL',
    flag: '--connect-database-url',
    description: 'PostgreSQL as the Connect worker reaches it, if not at DATABASE_URL',
    default: '',
    parse: (raw) => (raw.trim() === '' ? '' : parseUrl(['postgres', 'postgresql'])(raw)),
  }),
  schemaRegistryUri,
  connectSchemaRegistryUrl: setting({
    env: 'CONNECT_SCHEMA_REGISTRY_URL',
    flag: '--connect-schema-registry-url',
    description:
      "the registry as the worker's Avro converter reaches it (default: from SCHEMA_REGISTRY_URI; Apicurio's own API for targets local and compose)",
    default: '',
    parse: (raw) => (raw.trim() === '' ? '' : parseUrl(['http', 'https'])(raw)),
  }),
  topicPrefix,
  replicationFactor,
  connectorName: setting({
    env: 'CONNECTOR_NAME',
    flag: '--connector-name',
    description: 'connector name (default: <TOPIC_PREFIX>chippy-orders-sink)',
    default: '',
    parse: parseString,
  }),
  waitSeconds: setting({
    env: 'CONNECTOR_WAIT',
    flag: '--wait',
    description: 'seconds to wait for Connect to answer and the connector and its task to be RUNNING',
    default: 120,
    parse: parseInteger({ min: 1 }),
  }),
  watchInterval: setting({
    env: 'CONNECTOR_WATCH_INTERVAL',
    flag: '--watch-interval',
    description: "seconds between `watch`'s looks at the connector's status",
    default: 10,
    parse: parseNumber({ min: 0.1 }),
  }),
  /** `watch` only: its /metrics, /healthz and /readyz. */
  httpPort: withDefault(httpPort, 9400),
  logLevel,
};

export type ConnectorConfig = ConfigValues<typeof connectorSettings>;

export const connectorNameOf = (config: Pick<ConnectorConfig, 'connectorName' | 'topicPrefix'>) =>
  config.connectorName || `${config.topicPrefix}chippy-orders-sink`;
