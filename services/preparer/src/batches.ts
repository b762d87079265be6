import type { ConsumedMessage } from '@chippy/kafka';
import { errorMessage, type Logger } from '@chippy/runtime';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { BatchOutcome } from './preparer.js';

/** The parts of kafkajs's eachBatch payload the loop uses. */
export type BatchPayload = Pick<EachBatchPayload, 'isRunning' | 'isStale' | 'resolveOffset' | 'heartbeat'> & {
  batch: Pick<EachBatchPayload['batch'], 'topic' | 'partition'> & { messages: KafkaMessage[] };
};

export interface BatchesOptions {
  /** Most messages prepared as one batch. */
  batchSize: number;
  /** Partitions prepared at once. */
  concurrency: number;
  /** Offsets are committed in the batches' transactions (exactly-once), not by the consumer. */
  transactional: boolean;
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

/** How the preparer's consumer runs: each fetch prepared `batchSize` messages at a time. */
export function preparing(options: BatchesOptions) {
  const { batchSize, concurrency, transactional, prepare, report, stopping, logger } = options;
  return {
    partitionsConsumedConcurrently: concurrency,
    autoCommit: !transactional,
    // Offsets are resolved as each part of a fetched batch is done, so a stop mid-batch commits those.
    eachBatchAutoResolve: false,
    async eachBatch(payload: BatchPayload): Promise<void> {
      const { batch } = payload;
      // A fetch holds up to 256 KB a partition: it is prepared `batchSize` messages at a time, with a
      // heartbeat and a look at shutdown and rebalancing between parts.
      for (let start = 0; start < batch.messages.length; start += batchSize) {
        if (!payload.isRunning() || payload.isStale()) break;
        const part = batch.messages
          .slice(start, start + batchSize)
          .map(consumed(batch.topic, batch.partition));
        let outcome;
        try {
          outcome = await prepare(part);
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
        }
        if (outcome) report(outcome);
        payload.resolveOffset(part.at(-1)!.offset);
        await payload.heartbeat();
      }
    },
  };
}
