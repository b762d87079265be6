import { heartbeatMeanwhile } from '@chippy/kafka';
import { errorMessage, type Logger } from '@chippy/runtime';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { cookRequests, type CookDeps } from './cook.js';

/** The parts of kafkajs's eachBatch payload the cook uses. */
export type FetchPayload = Pick<EachBatchPayload, 'resolveOffset' | 'heartbeat'> & {
  batch: Pick<EachBatchPayload['batch'], 'topic' | 'partition'> & { messages: KafkaMessage[] };
};

export interface CookRunOptions extends CookDeps {
  /** Partitions of cook-requests handled at once: all of them, so one batch answers them all. */
  partitions: number;
  /** Aborts when shutdown begins. */
  stopping: AbortSignal;
  logger: Logger;
  /** How often the group hears from a cook whose requests are at the fryer. */
  heartbeatMs?: number;
}

/** How the cook's consumer runs: each fetch's requests to the kitchen, committed once all are answered. */
export function cookRunConfig({ partitions, stopping, logger, heartbeatMs = 3000, ...deps }: CookRunOptions) {
  return {
    partitionsConsumedConcurrently: partitions,
    eachBatchAutoResolve: false,
    async eachBatch(fetched: FetchPayload): Promise<void> {
      const { batch } = fetched;
      const { topic, partition } = batch;
      const last = batch.messages.at(-1);
      if (!last) return;
      // The fryer may take a batch or two: keep the group membership alive meanwhile.
      const stopBeating = heartbeatMeanwhile(
        () => fetched.heartbeat(),
        heartbeatMs,
        (error) =>
          logger.warn({ topic, partition, err: errorMessage(error) }, 'heartbeat at the fryer failed'),
      );
      try {
        await cookRequests(
          batch.messages.map((m) => ({ ...m, topic, partition })),
          deps,
        );
        fetched.resolveOffset(last.offset);
      } catch (error) {
        if (!stopping.aborted) throw error;
        // Closing (the kitchen closed, or a client): these requests were not cooked; their offsets stay
        // uncommitted for the next cook.
        logger.warn(
          { topic, partition, offset: batch.messages[0]!.offset, err: errorMessage(error) },
          'requests left for the next cook: shutting down',
        );
      } finally {
        stopBeating();
      }
    },
  };
}
