import { createRequire } from 'node:module';
import type {
  Admin,
  Consumer,
  ConsumerConfig,
  ConsumerSubscribeTopics,
  Kafka,
  Producer,
  ProducerConfig,
  ProducerRecord,
  SASLOptions,
} from 'kafkajs';
import type { Logger } from './logger.js';

/**
 * The alternative Kafka client, `@confluentinc/kafka-javascript` (librdkafka underneath), behind the
 * same kafkajs-shaped interface the services use, selected with KAFKA_CLIENT=confluent. It is a native
 * module that is not in the project's dependencies (its install downloads or compiles librdkafka):
 * `npm run install-confluent -w bench` builds it into bench/.cache, and NODE_PATH makes it loadable.
 *
 * Its KafkaJS-compatible API differs in a few places, bridged here:
 * - `acks` is a producer setting, not a `send` option; the services always send with acks=all.
 * - `fromBeginning` is a consumer setting, not a `subscribe` option: the consumer is created when it
 *   subscribes, so `connect()` before `subscribe()` works as with kafkajs.
 * - no custom partitioners: librdkafka's `murmur2_random` is the Java client's (and kafkajs's
 *   DefaultPartitioner's) choice of partition for a key.
 * - consumer events are not implemented: GROUP_JOIN is raised from the rebalance callback on an
 *   assignment; CRASH never fires (librdkafka reconnects by itself).
 * Not bridged: transactions with `sendOffsets({ consumerGroupId })` (DELIVERY=exactly-once).
 */

export interface ConfluentSecurity {
  ssl?: { ca: string[]; cert?: string; key?: string };
  sasl?: SASLOptions;
}

interface ConfluentModule {
  KafkaJS: { Kafka: new (config: object) => ConfluentKafka };
  librdkafkaVersion: string;
}
interface ConfluentKafka {
  producer(config: object): Producer;
  consumer(config: object): Consumer;
  admin(config?: object): Admin;
}

/** Loads the module, or explains why it cannot be had. */
export function loadConfluent(): ConfluentModule {
  try {
    return createRequire(import.meta.url)('@confluentinc/kafka-javascript') as ConfluentModule;
  } catch (error) {
    throw new Error(
      `KAFKA_CLIENT=confluent needs @confluentinc/kafka-javascript, which is not installed (` +
        `npm run install-confluent -w bench builds it; put its node_modules on NODE_PATH): ${
          error instanceof Error ? error.message.split('\n')[0] : String(error)
        }`,
    );
  }
}

const consumerEvents = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

/** pino behind the client's KafkaJS-style logger interface. */
function kafkaJsStyleLogger(logger: Logger) {
  const child = logger.child({ component: 'confluent-kafka' });
  const self = {
    info: (message: string, extra?: object) => child.info(extra ?? {}, message),
    warn: (message: string, extra?: object) => child.warn(extra ?? {}, message),
    error: (message: string, extra?: object) => child.error(extra ?? {}, message),
    debug: (message: string, extra?: object) => child.debug(extra ?? {}, message),
    namespace: () => self,
    setLogLevel: () => undefined,
  };
  return self;
}

function adaptProducer(kafka: ConfluentKafka, config: ProducerConfig = {}): Producer {
  const { createPartitioner: _partitioner, retry, transactionalId, idempotent, maxInFlightRequests } = config;
  const inner = kafka.producer({
    kafkaJS: {
      acks: -1,
      ...(idempotent !== undefined && { idempotent }),
      ...(maxInFlightRequests !== undefined && { maxInFlightRequests }),
      ...(transactionalId !== undefined && { transactionalId }),
      ...(retry?.retries !== undefined && { retry: { retries: Math.min(retry.retries, 2 ** 31 - 1) } }),
    },
    partitioner: 'murmur2_random',
  });
  const send = inner.send.bind(inner);
  // acks=-1 is set on the producer; a per-send value is refused by this client, so it is dropped here.
  inner.send = ({ acks: _acks, ...record }: ProducerRecord) => send(record);
  return inner;
}

function adaptConsumer(kafka: ConfluentKafka, config: ConsumerConfig): Consumer {
  const listeners = new Map<string, ((event: { payload: Record<string, unknown> }) => void)[]>();
  const emit = (name: string, payload: Record<string, unknown>) =>
    (listeners.get(name) ?? []).forEach((listener) => listener({ payload }));
  let inner: Consumer | undefined;
  const create = (fromBeginning: boolean) =>
    kafka.consumer({
      kafkaJS: {
        groupId: config.groupId,
        fromBeginning,
        ...(config.allowAutoTopicCreation !== undefined && {
          allowAutoTopicCreation: config.allowAutoTopicCreation,
        }),
        ...(config.maxWaitTimeInMs !== undefined && { maxWaitTimeInMs: config.maxWaitTimeInMs }),
      },
      rebalance_cb: (error: { code: number }, assignment: unknown[]) => {
        // -175 is librdkafka's ERR__ASSIGN_PARTITIONS: this member has joined and holds these partitions.
        if (error.code === -175) emit(consumerEvents.GROUP_JOIN, { memberAssignment: assignment });
      },
    });
  const adapter = {
    events: consumerEvents,
    on(name: string, listener: (event: { payload: Record<string, unknown> }) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => undefined;
    },
    connect: () => Promise.resolve(),
    async subscribe({ fromBeginning = false, ...subscription }: ConsumerSubscribeTopics) {
      inner ??= create(fromBeginning);
      await inner.connect();
      await inner.subscribe(subscription);
    },
    run: (options: Parameters<Consumer['run']>[0]) => {
      if (!inner) throw new Error('subscribe before run');
      return inner.run(options);
    },
    disconnect: () => inner?.disconnect() ?? Promise.resolve(),
    commitOffsets: (...args: Parameters<Consumer['commitOffsets']>) => inner!.commitOffsets(...args),
    pause: (...args: Parameters<Consumer['pause']>) => inner!.pause(...args),
    resume: (...args: Parameters<Consumer['resume']>) => inner!.resume(...args),
    seek: (...args: Parameters<Consumer['seek']>) => inner!.seek(...args),
  };
  return adapter as unknown as Consumer;
}

/** A kafkajs-shaped client made by @confluentinc/kafka-javascript. */
export function createConfluentKafka(
  brokers: string[],
  clientId: string,
  security: ConfluentSecurity,
  logger: Logger,
): Kafka {
  const { KafkaJS } = loadConfluent();
  const kafka = new KafkaJS.Kafka({
    kafkaJS: {
      clientId,
      brokers,
      ...(security.ssl && { ssl: true }),
      ...(security.sasl && { sasl: security.sasl }),
      connectionTimeout: 5000,
      logger: kafkaJsStyleLogger(logger),
    },
    // This client takes certificates as librdkafka settings (PEM strings), not in the kafkaJS block.
    ...(security.ssl && { 'ssl.ca.pem': security.ssl.ca.join('\n') }),
    ...(security.ssl?.cert && { 'ssl.certificate.pem': security.ssl.cert }),
    ...(security.ssl?.key && { 'ssl.key.pem': security.ssl.key }),
  });
  return {
    producer: (config?: ProducerConfig) => adaptProducer(kafka, config),
    consumer: (config: ConsumerConfig) => adaptConsumer(kafka, config),
    admin: () => kafka.admin(),
    logger: () => kafkaJsStyleLogger(logger),
  };
}
