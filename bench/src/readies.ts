import { consumerOptions, OrderReadySchema, sleep, type OrderReady } from '@chippy/messaging';
import type { Bench } from './context.js';

export interface Ready {
  orderTime: number;
  readyTime: number;
}

export interface ReadyWatcher {
  readies: Ready[];
  /** Resolves once `count` OrderReady messages have arrived in all, or `timeoutMs` has passed. */
  until(count: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Reads `orders-ready` from the start as an analyst would, and keeps each order's order_time and
 * ready_time: latencies come from these, not from the preparers' histogram, whose buckets are too coarse
 * for a p99. Its own consumer group, deleted with the run's other groups.
 */
export async function watchReadies(bench: Bench, topic: string, group: string): Promise<ReadyWatcher> {
  bench.made.groups.add(group);
  const decode = bench.serde.decoder<OrderReady>(OrderReadySchema);
  const readies: Ready[] = [];
  const consumer = bench.kafka.consumer({ ...consumerOptions(group), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const ready = await decode(message.value);
        readies.push({ orderTime: ready.order_time, readyTime: ready.ready_time });
        bench.made.orderIds.push(ready.order_id);
      }
    },
  });
  return {
    readies,
    async until(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (readies.length < count && Date.now() < deadline) await sleep(100);
      return readies.length >= count;
    },
    stop: () => consumer.disconnect(),
  };
}
