import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  errorMessage,
  retry,
  runtimeSettings,
  startRuntime,
  withDefault,
  type ConfigValues,
  type Runtime,
  type Settings,
} from '@chippy/runtime';
import { shopSettings } from '@chippy/shop';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { consumerOptions, createKafka, kafkaSettingsProblem, withKafkaHint } from './kafka.js';
import { latestOrderSchemaVersion, orderSchemaVersion } from './schema-versions.js';
import { createSerde, type Serde } from './serde.js';
import { kafkaClientProblem, kafkaSettings } from './settings.js';
import { consumerGroups, ensureTopics, topicNames, topicSpecs, type TopicNames } from './topics.js';

const {
  orderFormat,
  orderSchemaVersion: schemaVersion,
  topicPrefix,
  ordersPartitions,
  replicationFactor,
  ...connection
} = kafkaSettings;

/**
 * The settings of every service, in the order --help has always listed them; Redis and PostgreSQL are
 * added by the services that use them.
 */
const serviceSettings = {
  ...connection,
  timeScale: shopSettings.timeScale,
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
  /** Settings each valid but wrong together: a one-line reason, checked before anything starts. */
  check?: (config: ConfigValues<S>) => string | undefined;
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
      kafkaClientProblem(values as unknown as Service<S>['config'] & { delivery?: string }) ??
      options.check?.(values as unknown as ConfigValues<S>),
    ...(options.routes && { routes: options.routes }),
  });
  const config = runtime.config as unknown as Service<S>['config'];
  const { logger, shutdown } = runtime;

  const topics = topicNames(config.topicPrefix);
  const retrying = { logger, signal: shutdown.signal };
  const kafka = createKafka(config, `chippy-${options.name}`, logger);
  return {
    ...runtime,
    config,
    kafka,
    topics,
    groups: consumerGroups(config.topicPrefix),
    serde: createSerde({
      registryUri: config.schemaRegistryUri,
      format: config.orderFormat,
      logger,
      signal: shutdown.signal,
      ...(config.orderSchemaVersion < latestOrderSchemaVersion && {
        pinnedRecords: [orderSchemaVersion(config.orderSchemaVersion)],
      }),
    }),
    async connectAndCreateTopics(admin, which) {
      // The hint says what to check when the error alone does not (e.g. TLS refused, no client certificate).
      const connect = async () => {
        try {
          await admin.connect();
        } catch (error) {
          throw withKafkaHint(error, config);
        }
      };
      await retry('connect to Kafka', connect, retrying);
      const specs = topicSpecs(config.topicPrefix, which, config.ordersPartitions);
      await retry(
        'create topics',
        () => ensureTopics(admin, specs, config.replicationFactor, logger),
        retrying,
      );
    },
    groupConsumer(groupId, joinedMessage) {
      const joined = runtime.readiness('kafka');
      const consumer = kafka.consumer(consumerOptions(groupId));
      // kafkajs gives up for good when no broker answers its group-coordinator lookup (a broker restart
      // at the wrong moment: node_modules/kafkajs/src/cluster/index.js, findGroupCoordinator), though
      // that is an outage like any other. Such a crash runs the consumer again, as kafkajs's own restart
      // would, after a pause; the run's configuration is kept for it.
      let runConfig: Parameters<Consumer['run']>[0];
      const run = consumer.run.bind(consumer);
      consumer.run = (config) => {
        runConfig = config;
        return run(config);
      };
      const rerun = async () => {
        await retry(
          'run the consumer again',
          async () => {
            await consumer.connect();
            await run(runConfig);
          },
          { logger, signal: shutdown.signal, maxMs: 10_000 },
        );
      };
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        logger.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, joinedMessage);
        joined(true);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        joined(false);
        // Once shutdown has begun, a consumer failing on its way out is expected, not an error.
        const level = shutdown.signal.aborted ? 'warn' : 'error';
        logger[level]({ err: payload.error.message, restart: payload.restart }, 'consumer crashed');
        // After a non-retriable error kafkajs does not restart the consumer: the process would stay alive
        // consuming nothing. Exit 1 instead, so a supervisor restarts it and the message is redelivered.
        if (payload.restart || shutdown.signal.aborted) return;
        if (coordinatorUnreachable(payload.error)) {
          logger.warn('no broker answered for the group coordinator: running the consumer again');
          void rerun().catch((error: unknown) => {
            if (!shutdown.signal.aborted)
              logger.error({ err: errorMessage(error) }, 'the consumer did not run again');
            void shutdown.run('consumer crashed for good', 1);
          });
          return;
        }
        void shutdown.run('consumer crashed for good', 1);
      });
      return consumer;
    },
  };
}

/** Whether a consumer crashed because no broker answered its group-coordinator lookup (see groupConsumer). */
export function coordinatorUnreachable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause)
    if (e.name === 'KafkaJSGroupCoordinatorNotFound' || e.message === 'Failed to find group coordinator')
      return true;
  return false;
}
