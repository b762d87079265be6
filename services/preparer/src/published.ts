import { randomUUID } from 'node:crypto';
import { consumerOptions } from '@chippy/kafka';
import type { Admin, Kafka } from 'kafkajs';

/**
 * Which of these orders already have an OrderReady on `topic` written at or after `since` (ms)?
 * Used only for orders a preparer was handing over when it stopped: reading the topic itself is the
 * one way to know whether that last send reached Kafka, so recovery neither loses nor doubles it.
 */
export async function findPublished(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  orderIds: ReadonlySet<string>,
  since: number,
  timeoutMs = 30_000,
): Promise<Set<string>> {
  // Allow for clock skew between preparer and broker timestamps.
  const from = await admin.fetchTopicOffsetsByTimestamp(topic, since - 5_000);
  const high = await admin.fetchTopicOffsets(topic);
  const todo = new Map<number, bigint>(); // partition → last offset to read
  for (const { partition, offset } of from) {
    const end = BigInt(high.find((h) => h.partition === partition)?.high ?? '0');
    if (BigInt(offset) < end) todo.set(partition, end - 1n);
  }
  const found = new Set<string>();
  if (todo.size === 0) return found;

  const groupId = `chippy-recovery-${randomUUID()}`;
  const consumer = kafka.consumer(consumerOptions(groupId));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const id = message.key?.toString();
              if (id && orderIds.has(id)) found.add(id);
              const last = todo.get(batch.partition);
              if (last !== undefined && BigInt(message.offset) >= last) todo.delete(batch.partition);
            }
            if (todo.size === 0 || found.size === orderIds.size) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
      for (const { partition, offset } of from) {
        if (todo.has(partition)) consumer.seek({ topic, partition, offset });
      }
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return found;
}
