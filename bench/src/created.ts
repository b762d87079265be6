import { consumerOptions } from '@chippy/kafka';
import { sleep } from '@chippy/runtime';
import type { Bench } from './context.js';

// kafkajs's ConfigResourceTypes.TOPIC (a CommonJS export ES modules cannot import by name), as in
// libs/kafka/src/topics.ts.
const TOPIC_RESOURCE = 2;

/** The `orders` records' timestamps, by order id, and what else the reader found out. */
export interface CreateTimes {
  byOrder: Map<string, number>;
  /**
   * The topic's message.timestamp.type when it is not CreateTime (a cluster configured so): the records then
   * carry the broker's append time, and the till's stage ends at the append rather than at the send.
   */
  timestampType?: string;
}

/**
 * Reads `topic` (`orders`) from the start, once the shop has stopped, and keeps the record timestamp of
 * each order in `ids` (the window's: key = order_id), none of the rest, so memory stays the window's. Stops
 * once every id is found, or every partition is read to its end, or after `timeoutMs` with what it has.
 * The values are never decoded: the key and the record's own timestamp are all it needs. Its own consumer
 * group, deleted with the run's other groups.
 */
export async function readCreateTimes(
  bench: Bench,
  topic: string,
  group: string,
  ids: ReadonlySet<string>,
  timeoutMs = 60_000,
): Promise<CreateTimes> {
  bench.made.groups.add(group);
  const admin = bench.kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  let timestampType: string | undefined;
  try {
    ends = new Map(
      (await admin.fetchTopicOffsets(topic))
        .filter((p) => Number(p.high) > Number(p.low))
        .map((p) => [p.partition, Number(p.high)]),
    );
    timestampType = await admin
      .describeConfigs({
        resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['message.timestamp.type'] }],
        includeSynonyms: false,
      })
      .then(
        (described) => described.resources[0]?.configEntries[0]?.configValue,
        () => undefined, // a cluster that refuses to describe it: the default, CreateTime, is assumed
      );
  } finally {
    await admin.disconnect();
  }

  const byOrder = new Map<string, number>();
  const unread = new Map(ends);
  const consumer = bench.kafka.consumer({ ...consumerOptions(group), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) {
          const id = message.key?.toString();
          if (id !== undefined && ids.has(id)) byOrder.set(id, Number(message.timestamp));
        }
        const last = batch.lastOffset();
        if (Number(last) + 1 >= (unread.get(batch.partition) ?? Infinity)) unread.delete(batch.partition);
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (byOrder.size < ids.size && unread.size > 0 && Date.now() < deadline) await sleep(100);
  } finally {
    await consumer.disconnect();
  }
  return {
    byOrder,
    ...(timestampType !== undefined && timestampType !== 'CreateTime' && { timestampType }),
  };
}
