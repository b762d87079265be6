import { createRegistryAdmin } from '@chippy/kafka';
import {
  consumerGroups,
  shopSerde,
  type Order,
  type OrderReady,
  OrderReadySchema,
  OrderSchema,
  topicNames,
} from '@chippy/shop';
import { Redis } from 'ioredis';
import { endpointsFromEnv } from './endpoints.js';
import { testKafka, testLogger, uniqueName } from './kafka.js';
import { readTopic, type RawMessage } from './topics.js';

const prefixes: string[] = [];

/**
 * Deletes the topics, consumer groups, schema subjects and cabinet keys of every shop this test file made
 * (call it in `after`), so repeated runs do not pile them up on the broker, the registry and Redis.
 */
export async function deleteShops(): Promise<void> {
  const admin = testKafka('test-cleanup').admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin
      .deleteGroups(prefixes.flatMap((p) => Object.values(consumerGroups(p))))
      .catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  // Every subject a shop registers is `<prefix><topic>-value`: soft-deleted, then deleted for good.
  const registry = createRegistryAdmin(endpointsFromEnv().SCHEMA_REGISTRY_URI);
  const subjects = (await registry.subjects()).filter((s) => prefixes.some((p) => s.startsWith(p)));
  for (const subject of subjects) await registry.deleteSubject(subject);
  const redis = new Redis(endpointsFromEnv().REDIS_URL);
  try {
    // Every key a shop writes carries its prefix: the cabinet, its totals and the per-order records.
    for (const prefix of prefixes) {
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
        if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
      }
    }
  } finally {
    redis.disconnect();
  }
  prefixes.length = 0;
}

/** Topics of their own for one test (TOPIC_PREFIX), so tests never see each other's orders. */
export function isolatedShop(name: string) {
  const prefix = `${uniqueName(name)}-`;
  prefixes.push(prefix);
  const topics = topicNames(prefix);
  const serde = shopSerde({
    registryUri: endpointsFromEnv().SCHEMA_REGISTRY_URI,
    format: 'avro',
    logger: testLogger,
  });
  const decodeOrder = serde.decoder<Order>(OrderSchema);
  const decodeReady = serde.decoder<OrderReady>(OrderReadySchema);
  return {
    prefix,
    topics,
    env: { TOPIC_PREFIX: prefix },
    /** Every order on `orders`, once `count` have arrived; messages that are not orders are left out. */
    async orders(count: number): Promise<Order[]> {
      const looksLikeOrder = (m: RawMessage) => m.value !== null && (m.value[0] === 0 || m.value[0] === 0x7b);
      const raw = await readTopic(topics.orders, (m) => m.filter(looksLikeOrder).length >= count);
      const decoded = await Promise.all(raw.map((m) => decodeOrder(m.value).catch(() => undefined)));
      return decoded.filter((o): o is Order => o !== undefined);
    },
    /** Everything on `orders-ready`, once every one of `orderIds` has arrived (duplicates included). */
    async ready(orderIds: Iterable<string>): Promise<{ raw: RawMessage[]; ready: OrderReady[] }> {
      const wanted = new Set(orderIds);
      const raw = await readTopic(topics.ordersReady, (m) =>
        [...wanted].every((id) => m.some((x) => x.key === id)),
      );
      return { raw, ready: await Promise.all(raw.map((m) => decodeReady(m.value))) };
    },
  };
}

/** Counts per value, for "exactly once" checks with a readable failure. */
export function duplicatesOf(values: string[]): string[] {
  const seen = new Map<string, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${v} ×${n}`);
}
