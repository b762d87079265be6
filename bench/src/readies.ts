import { consumerOptions } from '@chippy/kafka';
import { sleep } from '@chippy/runtime';
import { OrderReadySchema, type OrderReady } from '@chippy/shop';
import type { OrderStamps } from './breakdown.js';
import type { Bench } from './context.js';

export interface Ready {
  orderTime: number;
  readyTime: number;
  /** With `stamps`: the rest of what the stage breakdown needs (breakdown.ts), all but the `orders` record's. */
  stamps?: Omit<OrderStamps, 'orderTime' | 'readyTime' | 'created'> & { orderId: string };
}

export interface ReadyWatcher {
  readies: Ready[];
  /**
   * Resolves true once the topic has been read to its end — messages arrived, then none for `quietMs` (the
   * shop has stopped, so nothing new comes) — or false after `timeoutMs`.
   */
  readToEnd(quietMs?: number, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Reads `orders-ready` from the start as an analyst would, and keeps each order's order_time and
 * ready_time: latencies come from these, not from the preparers' histogram, whose buckets are too coarse
 * for a p99. Its own consumer group, deleted with the run's other groups. Started once the shop has
 * stopped: the figures are the messages' own times, so reading them later changes none of them and takes
 * none of the measured window's CPU. With `stamps` it also keeps each order's id, preparer, prepare_started
 * and the record's timestamp, for the stage breakdown (live loads only: a drain's million ids would weigh
 * on the bench's memory for nothing). `live`: the caller started it before the shop's first order, so when
 * it has a record is a live reader's, kept too; it then costs the measured window a consumer's CPU.
 */
export async function watchReadies(
  bench: Bench,
  topic: string,
  group: string,
  { stamps = false, live = false } = {},
): Promise<ReadyWatcher> {
  bench.made.groups.add(group);
  const decode = bench.serde.decoder<OrderReady>(OrderReadySchema);
  const readies: Ready[] = [];
  const consumer = bench.kafka.consumer({ ...consumerOptions(group), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  // Resolves once the group is joined, so nothing the shop writes after it returns is read late.
  await consumer.run({
    eachBatch: async ({ batch }) => {
      // Before decoding any of it: the fetch's arrival, not this process's work on it.
      const received = Date.now();
      for (const message of batch.messages) {
        const ready = await decode(message.value);
        readies.push({
          orderTime: ready.order_time,
          readyTime: ready.ready_time,
          ...(stamps && {
            stamps: {
              orderId: ready.order_id,
              preparer: ready.preparer,
              prepareStarted: ready.prepare_started,
              sent: Number(message.timestamp),
              ...(live && { received }),
            },
          }),
        });
      }
    },
  });
  return {
    readies,
    async readToEnd(quietMs = 1000, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let [seen, since] = [0, Date.now()];
      while (Date.now() < deadline) {
        await sleep(100);
        if (readies.length !== seen) [seen, since] = [readies.length, Date.now()];
        else if (seen > 0 && Date.now() - since >= quietMs) return true;
      }
      return false;
    },
    stop: () => consumer.disconnect(),
  };
}
