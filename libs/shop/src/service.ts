import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  connectAndEnsureTopics,
  createKafka,
  groupConsumer,
  kafkaSettings,
  kafkaSettingsProblem,
  type Serde,
} from '@chippy/kafka';
import {
  runtimeSettings,
  startRuntime,
  withDefault,
  type ConfigValues,
  type Runtime,
  type Settings,
} from '@chippy/runtime';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { latestOrderSchemaVersion, orderSchemaVersion } from './order-versions.js';
import { shopSerde } from './serde.js';
import { shopSettings } from './settings.js';
import { consumerGroups, topicNames, topicSpecs, type TopicNames } from './topics.js';

const {
  timeScale,
  orderFormat,
  orderSchemaVersion: schemaVersion,
  topicPrefix,
  ordersPartitions,
  replicationFactor,
} = shopSettings;

/**
 * The settings of every service, in the order --help has always listed them; Redis and PostgreSQL are
 * added by the services that use them.
 */
const serviceSettings = {
  ...kafkaSettings,
  timeScale,
  orderFormat,
  orderSchemaVersion: schemaVersion,
  ...runtimeSettings,
  topicPrefix,
  ordersPartitions,
  replicationFactor,
};

export interface ServiceOptions<S extends Settings> {
  name: string;
  description: string;
  /** The service's own settings, added to the common ones. */
  settings: S;
  /** Default HTTP_PORT for /metrics and the probes. */
  httpPort: number;
  /** Extra HTTP routes (the summary's page and API). */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /**
   * Settings each valid but wrong together (the service's own, or its own with the common ones): a
   * one-line reason, checked after the Kafka settings and before anything starts.
   */
  check?: (config: Service<S>['config']) => string | undefined;
}

export interface Service<S extends Settings> extends Omit<Runtime<Settings>, 'config'> {
  config: ConfigValues<typeof serviceSettings> & ConfigValues<S>;
  kafka: Kafka;
  topics: TopicNames;
  groups: ReturnType<typeof consumerGroups>;
  /** Avro (or JSON) through the configured registry, in the configured ORDER_FORMAT; waits out outages. */
  serde: Serde;
  /**
   * Connects the admin client and creates those of the shop's topics this service uses, if missing, as
   * `topicDeclarations` declares them — retrying both, with a log line per attempt, until shutdown.
   */
  connectAndCreateTopics(admin: Admin, which: (keyof TopicNames)[]): Promise<void>;
  /**
   * A member of the consumer group `groupId`. /readyz counts it ready once it has joined (logging
   * `joinedMessage`) and not ready after a crash, until it joins again.
   */
  groupConsumer(groupId: string, joinedMessage: string): Consumer;
}

/**
 * Everything a chippy service does before its own work: the runtime (configuration, logs, metrics, the
 * probe server, graceful shutdown), then the Kafka client, the shop's topic names and the serde.
 */
export async function startService<S extends Settings>(options: ServiceOptions<S>): Promise<Service<S>> {
  const settings = {
    ...serviceSettings,
    httpPort: withDefault(serviceSettings.httpPort, options.httpPort),
    ...options.settings,
  };
  // TypeScript cannot resolve the merged settings' value types while S is generic; the parts are exact.
  const runtime = await startRuntime({
    name: options.name,
    description: options.description,
    settings,
    check: (values) =>
      kafkaSettingsProblem(values as unknown as Service<S>['config']) ??
      options.check?.(values as unknown as Service<S>['config']),
    ...(options.routes && { routes: options.routes }),
  });
  const config = runtime.config as unknown as Service<S>['config'];
  const { logger, shutdown } = runtime;

  const topics = topicNames(config.topicPrefix);
  const kafka = createKafka(config, `chippy-${options.name}`, logger);
  return {
    ...runtime,
    config,
    kafka,
    topics,
    groups: consumerGroups(config.topicPrefix),
    serde: shopSerde({
      registryUri: config.schemaRegistryUri,
      format: config.orderFormat,
      logger,
      signal: shutdown.signal,
      ...(config.orderSchemaVersion < latestOrderSchemaVersion && {
        pinnedRecords: [orderSchemaVersion(config.orderSchemaVersion)],
      }),
    }),
    async connectAndCreateTopics(admin, which) {
      await connectAndEnsureTopics(admin, topicSpecs(config.topicPrefix, which, config.ordersPartitions), {
        config,
        replicationFactor: config.replicationFactor,
        logger,
        signal: shutdown.signal,
      });
    },
    groupConsumer(groupId, joinedMessage) {
      return groupConsumer(kafka, {
        groupId,
        joinedMessage,
        logger,
        shutdown,
        joined: runtime.readiness('kafka'),
      });
    },
  };
}
