import { heartbeatMeanwhile, type ConsumedMessage } from '@chippy/kafka';
import { errorMessage, type Logger } from '@chippy/runtime';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { OffsetCommits } from './commits.js';
import type { BatchOutcome } from './preparer.js';

/** The parts of kafkajs's eachBatch payload the loop uses. */
export type BatchPayload = Pick<
  EachBatchPayload,
  'isRunning' | 'isStale' | 'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary' | 'uncommittedOffsets'
> & {
  batch: Pick<EachBatchPayload['batch'], 'topic' | 'partition'> & { messages: KafkaMessage[] };
};

export interface BatchesOptions {
  /** Most messages prepared as one batch. */
  batchSize: number;
  /** Partitions whose fetched batches are handed to the preparer together. */
  concurrency: number;
  /** Offsets are committed in the batches' transactions (exactly-once), not by the consumer. */
  transactional: boolean;
  /** Commits the offsets of batches done (at least once). */
  commits: OffsetCommits;
  /** Prepares one batch; undefined when there was nothing left to prepare. */
  prepare: (messages: ConsumedMessage[]) => Promise<BatchOutcome | undefined>;
  /** Reports a batch whose output is final. */
  report: (outcome: BatchOutcome) => void;
  /** Aborts when shutdown begins. */
  stopping: AbortSignal;
  logger: Logger;
}

const consumed =
  (topic: string, partition: number) =>
  (message: KafkaMessage): ConsumedMessage => ({
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
  });

interface Offered {
  part: ConsumedMessage[];
  /** Told whether this part is its batch's last, which hands the offsets of all its parts to the commits. */
  done: (last: boolean) => void;
  failed: (error: unknown) => void;
}

export interface LaneOptions extends Pick<BatchesOptions, 'batchSize' | 'prepare' | 'report' | 'stopping'> {
  /** Parts of different partitions may be prepared as one batch (not when each is its own transaction). */
  merge: boolean;
}

/**
 * One preparer prepares one batch at a time, whatever the partitions consumed at once: parts offered while
 * a batch is in hand wait, and the next batch takes as many of them as fit in `batchSize` (with `merge`).
 * So one fetch's partitions share one Redis step, one send and one commit, and the process never holds two
 * deliveries of an order in two batches at once (an order on `orders` and its reply on `cooked`, both
 * redelivered after a crash, meet in one batch, where the first is prepared and the second skipped).
 * Resolves each part once its batch's output is final, with whether it is the batch's last; the parts
 * resume in the order they were taken, so the last resumes once the others have resolved their offsets.
 */
export function preparingLane({ batchSize, merge, prepare, report, stopping }: LaneOptions) {
  const waiting: Offered[] = [];
  let busy = false;
  const next = async (): Promise<void> => {
    if (busy || waiting.length === 0) return;
    busy = true;
    // The parts of one fetch are offered in the same turn of the event loop: wait for the rest of them.
    await new Promise((resolve) => setImmediate(resolve));
    const taken = [waiting.shift()!];
    let size = taken[0]!.part.length;
    while (merge && waiting.length > 0 && size + waiting[0]!.part.length <= batchSize) {
      size += waiting[0]!.part.length;
      taken.push(waiting.shift()!);
    }
    try {
      if (stopping.aborted) throw new Error('shutting down before the batch began');
      const outcome = await prepare(taken.flatMap((t) => t.part));
      if (outcome) report(outcome);
      taken.forEach((t, i) => t.done(i === taken.length - 1));
    } catch (error) {
      taken.forEach((t) => t.failed(error));
    } finally {
      busy = false;
      void next();
    }
  };
  return (part: ConsumedMessage[]): Promise<boolean> =>
    new Promise((done, failed) => {
      waiting.push({ part, done, failed });
      void next();
    });
}

/** How the preparer's consumer runs: each fetch prepared `batchSize` messages at a time. */
export function preparerRunConfig(options: BatchesOptions) {
  const { batchSize, concurrency, transactional, commits, stopping, logger } = options;
  const prepareInLane = preparingLane({ ...options, merge: !transactional });
  const eachBatch = async (payload: BatchPayload): Promise<void> => {
    if (transactional) return preparedInParts(payload);
    try {
      await preparedInParts(payload);
    } catch (error) {
      // kafkajs joins the group again or restarts: what is done is committed first, as its autoCommit would.
      await commits.flush().catch(() => undefined);
      throw error;
    }
    if (stopping.aborted) await commits.flush();
  };
  const preparedInParts = async (payload: BatchPayload): Promise<void> => {
    const { batch } = payload;
    // A fetch holds up to 256 KB a partition: it is prepared `batchSize` messages at a time, with a
    // heartbeat and a look at shutdown and rebalancing between parts.
    for (let start = 0; start < batch.messages.length; start += batchSize) {
      if (!payload.isRunning() || payload.isStale()) break;
      const part = batch.messages.slice(start, start + batchSize).map(consumed(batch.topic, batch.partition));
      let last;
      // The group must not drop this member while its part waits in the lane or its batch is in hand
      // (another preparer's claim can take ~1 min to lapse): kafkajs sends at most one heartbeat per
      // heartbeat interval, and one refused mid-rebalance is seen again after the part.
      const stopBeating = heartbeatMeanwhile(() => payload.heartbeat(), 1000);
      try {
        last = await prepareInLane(part);
      } catch (error) {
        if (!stopping.aborted) throw error;
        // Shutting down (a client closed, a wait cut short): the part stays unresolved, for redelivery.
        const { topic, partition } = batch;
        const [first, last] = [part[0]!.offset, part.at(-1)!.offset];
        logger.warn(
          { topic, partition, offset: first, last, err: errorMessage(error) },
          'batch left: shutting down',
        );
        return;
      } finally {
        stopBeating();
      }
      payload.resolveOffset(part.at(-1)!.offset);
      // One commit for the batch's partitions, from its last part (kafkajs's autoCommit is off).
      if (last && !transactional) await commits.batchDone(payload);
      await payload.heartbeat();
    }
  };
  return {
    partitionsConsumedConcurrently: concurrency,
    // Offsets are committed by `commits` (at least once) or in each batch's transaction (exactly once).
    autoCommit: false,
    // Offsets are resolved as each part of a fetched batch is done, so a stop mid-batch commits those.
    eachBatchAutoResolve: false,
    eachBatch,
  };
}
