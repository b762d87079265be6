import { createRequire } from 'node:module';
import type { Logger } from '@chippy/runtime';
import { kafkaJsStyleLogger } from './kafkajs-log.js';
import type {
  Admin,
  Consumer,
  ConsumerConfig,
  ConsumerSubscribeTopics,
  Kafka,
  Producer,
  ProducerBatch,
  ProducerConfig,
  ProducerRecord,
  SASLOptions,
} from 'kafkajs';

/**
 * The alternative Kafka client, `@confluentinc/kafka-javascript` (librdkafka underneath), behind the
 * same kafkajs-shaped interface the services use, selected with KAFKA_CLIENT=confluent. It is a native
 * module that is not in the project's dependencies (its install downloads or compiles librdkafka):
 * `npm run install-confluent -w bench` builds it into bench/.cache, and NODE_PATH makes it loadable.
 *
 * Its KafkaJS-compatible API differs in a few places, bridged here:
 * - `acks` is a producer setting, not a `send`/`sendBatch` option; it is left at librdkafka's default,
 *   all, which is kafkajs's too (and which idempotence requires).
 * - `fromBeginning` (a `subscribe` option) and `autoCommit` (a `run` option) are consumer settings: the
 *   consumer is created, connected and subscribed in `run`, so the kafkajs call order works unchanged.
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

function adaptProducer(kafka: ConfluentKafka, config: ProducerConfig = {}): Producer {
  const { createPartitioner: _partitioner, retry, transactionalId, idempotent, maxInFlightRequests } = config;
  const inner = kafka.producer({
    kafkaJS: {
      ...(idempotent !== undefined && { idempotent }),
      ...(maxInFlightRequests !== undefined && { maxInFlightRequests }),
      ...(transactionalId !== undefined && { transactionalId }),
      ...(retry?.retries !== undefined && { retry: { retries: Math.min(retry.retries, 2 ** 31 - 1) } }),
    },
    partitioner: 'murmur2_random',
    // librdkafka waits up to 5 ms by default to fill a batch; kafkajs sends at once. The services await
    // each send before the next, so a linger would only add its 5 ms to every order.
    'linger.ms': 0,
  });
  const send = inner.send.bind(inner);
  const sendBatch = inner.sendBatch.bind(inner);
  // This client refuses a per-send `acks`, which kafkajs callers may still pass: it is dropped here.
  inner.send = ({ acks: _acks, ...record }: ProducerRecord) => send(record);
  inner.sendBatch = ({ acks: _acks, ...batch }: ProducerBatch) => sendBatch(batch);
  return inner;
}

function adaptConsumer(kafka: ConfluentKafka, config: ConsumerConfig): Consumer {
  const listeners = new Map<string, ((event: { payload: Record<string, unknown> }) => void)[]>();
  const emit = (name: string, payload: Record<string, unknown>) =>
    (listeners.get(name) ?? []).forEach((listener) => listener({ payload }));
  let inner: Consumer | undefined;
  let subscription: ConsumerSubscribeTopics | undefined;
  const create = (fromBeginning: boolean, autoCommit: boolean) =>
    kafka.consumer({
      kafkaJS: {
        groupId: config.groupId,
        fromBeginning,
        autoCommit,
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
  // fromBeginning (a subscribe option) and autoCommit (a run option) are creation settings in this
  // client, so the consumer is created, connected and subscribed when `run` is called.
  const adapter = {
    events: consumerEvents,
    on(name: string, listener: (event: { payload: Record<string, unknown> }) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => undefined;
    },
    connect: () => Promise.resolve(),
    subscribe(topics: ConsumerSubscribeTopics) {
      subscription = topics;
      return Promise.resolve();
    },
    async run({ autoCommit = true, ...options }: Parameters<Consumer['run']>[0] = {}) {
      if (!subscription) throw new Error('subscribe before run');
      const { fromBeginning = false, ...topics } = subscription;
      inner = create(fromBeginning, autoCommit);
      await inner.connect();
      await inner.subscribe(topics);
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

/**
 * `createTopics` refuses kafkajs's `waitForLeaders`: it is dropped, and instead the call waits until the
 * new topics' metadata shows every partition with a leader (what kafkajs waits for), for up to 10 s.
 */
function adaptAdmin(inner: Admin): Admin {
  const createTopics = inner.createTopics.bind(inner);
  inner.createTopics = async ({ waitForLeaders, ...options }: Parameters<Admin['createTopics']>[0]) => {
    const created = await createTopics(options);
    if (waitForLeaders === false) return created;
    const topics = options.topics.map((t) => t.topic);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const led = await inner
        .fetchTopicMetadata({ topics })
        .then((m) =>
          m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
        )
        .catch(() => false);
      if (led) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return created;
  };
  return inner;
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
      logger: kafkaJsStyleLogger(logger.child({ component: 'confluent-kafka' })),
    },
    // This client takes certificates as librdkafka settings (PEM strings), not in the kafkaJS block.
    ...(security.ssl && { 'ssl.ca.pem': security.ssl.ca.join('\n') }),
    ...(security.ssl?.cert && { 'ssl.certificate.pem': security.ssl.cert }),
    ...(security.ssl?.key && { 'ssl.key.pem': security.ssl.key }),
  });
  return {
    producer: (config?: ProducerConfig) => adaptProducer(kafka, config),
    consumer: (config: ConsumerConfig) => adaptConsumer(kafka, config),
    admin: () => adaptAdmin(kafka.admin()),
    logger: () => kafkaJsStyleLogger(logger.child({ component: 'confluent-kafka' })),
  };
}
