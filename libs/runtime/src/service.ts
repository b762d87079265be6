import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import {
  commonSettings,
  describeConfig,
  loadConfigOrExit,
  withDefault,
  type ConfigValues,
  type Settings,
} from './config.js';
import { startHttpServer, type HttpServer } from './http.js';
import { consumerOptions, createKafka, kafkaSettingsProblem, withKafkaHint } from './kafka.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { errorMessage, retry } from './retry.js';
import { latestOrderSchemaVersion, orderSchemaVersion } from './schema-versions.js';
import { createSerde, type Serde } from './serde.js';
import { onShutdown, type Shutdown } from './shutdown.js';
import { consumerGroups, ensureTopics, topicNames, topicSpecs, type TopicNames } from './topics.js';

/** The settings of every service; Redis and PostgreSQL are added by the services that use them. */
const { redisUrl: _redis, databaseUrl: _database, ...serviceSettings } = commonSettings;

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

export interface Service<S extends Settings> {
  config: ConfigValues<typeof serviceSettings> & ConfigValues<S>;
  logger: Logger;
  metrics: Metrics;
  shutdown: Shutdown;
  kafka: Kafka;
  topics: TopicNames;
  groups: ReturnType<typeof consumerGroups>;
  http: HttpServer;
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
  /** /readyz answers ready once every named part has said it is (e.g. 'kafka', 'redis'). */
  readiness(part: string): (ready: boolean) => void;
}

/** Why the HTTP server could not listen on `port`, when that is the setting's fault. */
export function portProblem(error: unknown, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use (0 picks a free port)`;
  if (code === 'EACCES') return `port ${port} needs privileges this process does not have`;
  return undefined;
}

/**
 * Everything a chippy service does before its own work: configuration (exit 2 on a bad value), JSON logs,
 * metrics, the probe server, the Kafka client and graceful shutdown. The HTTP server is added to the
 * shutdown first so that it is stopped last and /metrics answers until the end.
 */
export async function startService<S extends Settings>(options: ServiceOptions<S>): Promise<Service<S>> {
  const settings = {
    ...serviceSettings,
    httpPort: withDefault(serviceSettings.httpPort, options.httpPort),
    ...options.settings,
  };
  // TypeScript cannot resolve the merged settings' value types while S is generic; the parts are exact.
  const config = loadConfigOrExit({
    name: options.name,
    description: options.description,
    settings,
    check: (values) =>
      kafkaSettingsProblem(values as unknown as Service<S>['config']) ??
      options.check?.(values as unknown as ConfigValues<S>),
  }) as unknown as Service<S>['config'];
  const logger = createLogger(options.name, config.logLevel);
  logger.info({ config: describeConfig(settings, config) }, 'starting');

  const metrics = createMetrics(options.name);
  const shutdown = onShutdown(logger);
  // A promise nobody awaited, or a throw nobody caught, is a bug: log it and stop cleanly, exit 1, so a
  // supervisor restarts the service and the work in flight is redelivered (kafkajs's examples do the same).
  const fail = (what: string) => (error: unknown) => {
    logger.fatal({ err: errorMessage(error) }, what);
    void shutdown.run(what, 1);
  };
  process.on('unhandledRejection', fail('unhandled promise rejection'));
  process.on('uncaughtException', fail('uncaught exception'));
  const parts = new Map<string, boolean>();
  const http = await startHttpServer({
    port: config.httpPort,
    registry: metrics.registry,
    logger,
    ready: () => parts.size > 0 && [...parts.values()].every(Boolean),
    ...(options.routes && { routes: options.routes }),
  }).catch((error: unknown) => {
    const problem = portProblem(error, config.httpPort);
    if (!problem) throw error;
    // A port in use is bad configuration like any other: one line naming the setting, exit 2.
    process.stderr.write(`${options.name}: invalid HTTP_PORT (--http-port): ${problem}\n`);
    return process.exit(2);
  });
  shutdown.add('http server', () => http.close());

  const topics = topicNames(config.topicPrefix);
  const retrying = { logger, signal: shutdown.signal };
  const kafka = createKafka(config, `chippy-${options.name}`, logger);
  const readiness = (part: string) => {
    parts.set(part, false);
    return (ready: boolean) => {
      if (parts.get(part) !== ready) logger.info({ part, ready }, ready ? 'ready' : 'not ready');
      parts.set(part, ready);
    };
  };
  return {
    config,
    logger,
    metrics,
    shutdown,
    kafka,
    topics,
    groups: consumerGroups(config.topicPrefix),
    http,
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
    readiness,
    groupConsumer(groupId, joinedMessage) {
      const joined = readiness('kafka');
      const consumer = kafka.consumer(consumerOptions(groupId));
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        logger.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, joinedMessage);
        joined(true);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        joined(false);
        logger.error({ err: payload.error.message, restart: payload.restart }, 'consumer crashed');
        // After a non-retriable error kafkajs does not restart the consumer: the process would stay alive
        // consuming nothing. Exit 1 instead, so a supervisor restarts it and the message is redelivered.
        if (!payload.restart && !shutdown.signal.aborted) void shutdown.run('consumer crashed for good', 1);
      });
      return consumer;
    },
  };
}
