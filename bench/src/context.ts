import { randomUUID } from 'node:crypto';
import { createKafka, type KafkaConfig, type Serde } from '@chippy/kafka';
import { createLogger, type Logger } from '@chippy/runtime';
import { consumerGroups, shopSerde, type Order, OrderSchema, topicNames } from '@chippy/shop';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Endpoints } from '@chippy/local-stack';

export interface Bench {
  endpoints: Endpoints;
  /** Environment for service processes: endpoints, TIME_SCALE=0, no certs unless configured. */
  serviceEnv: NodeJS.ProcessEnv;
  kafkaConfig: KafkaConfig;
  kafka: Kafka;
  logger: Logger;
  serde: Serde;
  redis: Redis;
  /** Every topic prefix (its Redis keys too) and consumer group this run made, for the clean-up. */
  made: { prefixes: Set<string>; groups: Set<string> };
  /** A fresh TOPIC_PREFIX for one scenario; all of its topics, groups and cabinet keys are deleted at the end. */
  prefix(label: string): string;
  /** `count` orders encoded as the till encodes them (registry serde), for the raw-client scenarios. */
  sampleOrders(topic: string, count: number): Promise<{ key: string; value: Buffer }[]>;
}

/** One order as a till writes it: a UUID, the till's name, its count and one to three menu items. */
export function sampleOrder(count: number, now = Date.now()): Order {
  const menus = [['cod & chips'], ['cod & chips', 'chips & chips'], ['chips']];
  return { order_id: randomUUID(), till: 'till-1', count, order_time: now, items: menus[count % 3]! };
}

/**
 * `serviceNodeOptions`: NODE_OPTIONS for the service processes only (e.g. V8 heap flags), not the bench's
 * own process; unset, they inherit the bench's environment.
 */
export function createBench(endpoints: Endpoints, runId: string, serviceNodeOptions?: string): Bench {
  const logger = createLogger('bench', process.env.LOG_LEVEL ?? 'warn');
  const kafkaConfig: KafkaConfig = {
    kafkaUri: endpoints.KAFKA_SERVICE_URI,
    certsDir: process.env.KAFKA_CERTS_DIR ?? 'certs',
    saslMechanism: 'none',
    saslUsername: '',
    saslPassword: '',
  };
  const serde = shopSerde({ registryUri: endpoints.SCHEMA_REGISTRY_URI, format: 'avro', logger });
  const made = {
    prefixes: new Set<string>(),
    groups: new Set<string>(),
  };
  return {
    endpoints,
    serviceEnv: {
      ...process.env,
      ...endpoints,
      TIME_SCALE: '0',
      ORDER_FORMAT: 'avro',
      ...(serviceNodeOptions !== undefined && { NODE_OPTIONS: serviceNodeOptions }),
    },
    kafkaConfig,
    kafka: createKafka(kafkaConfig, 'chippy-bench', logger),
    logger,
    serde,
    redis: new Redis(endpoints.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 3 }),
    made,
    prefix(label) {
      const prefix = `bench-${runId}-${label}-`;
      made.prefixes.add(prefix);
      Object.values(consumerGroups(prefix)).forEach((g) => made.groups.add(g));
      return prefix;
    },
    async sampleOrders(topic, count) {
      const encode = await serde.encoder<Order>(topic, OrderSchema);
      return Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const order = sampleOrder(i + 1);
          return { key: order.order_id, value: await encode(order) };
        }),
      );
    },
  };
}

export { topicNames };
