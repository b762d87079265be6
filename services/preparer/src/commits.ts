import { errorMessage, type Logger } from '@chippy/runtime';
import type { EachBatchPayload } from 'kafkajs';

/** The parts of kafkajs's eachBatch payload that commit: its consumer group's resolved offsets. */
export type Committer = Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'>;

export interface OffsetCommitsOptions {
  /**
   * 0: a batch's offsets are committed as it ends, and the next fetch waits for the commit. Otherwise the
   * offsets of the batches done so far are committed in the background, at most once per interval.
   */
  intervalMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * The at-least-once preparer's offset commits. Only offsets of batches whose hand-over Kafka has
 * acknowledged are ever resolved, so any of them may be committed at any time; committing them on an
 * interval instead of after every batch takes one round trip off a live order's path and most commits off
 * the broker. A crash re-reads at most an interval's orders, which the ledger skips as handed over
 * (docs/decisions/offset-commit-interval.md). kafkajs's own autoCommitInterval does not help: its runner
 * commits after every eachBatch whatever the interval (node_modules/kafkajs/src/consumer/runner.js,
 * handleBatch), so the consumer runs with autoCommit off and this commits instead.
 */
export function offsetCommits({ intervalMs, logger, now = Date.now }: OffsetCommitsOptions) {
  let committer: Committer | undefined;
  let inFlight: Promise<void> | undefined;
  let lastStarted = now();

  const commitResolved = async (c: Committer): Promise<void> => {
    const offsets = c.uncommittedOffsets();
    if (offsets.topics.length === 0) return;
    lastStarted = now();
    await c.commitOffsetsIfNecessary(offsets);
  };

  /** Starts a background commit unless one is in flight; a failed one is retried with the next batch. */
  const inBackground = (c: Committer): void => {
    if (inFlight) return;
    inFlight = commitResolved(c)
      .catch((error: unknown) => {
        // Kafka keeps the last offsets it took: these are read again, and the ledger skips their orders.
        logger.warn({ err: errorMessage(error) }, 'offsets not committed; they are tried again');
        // A committer from before a consumer restart commits for a group generation that has ended.
        if (committer === c) committer = undefined;
      })
      .finally(() => (inFlight = undefined));
  };

  const timer =
    intervalMs > 0
      ? setInterval(() => {
          // Idle: the last batch's offsets are committed though no batch follows it.
          if (committer && now() - lastStarted >= intervalMs) inBackground(committer);
        }, intervalMs).unref()
      : undefined;

  return {
    /** A batch's offsets are resolved: commits them now (interval 0) or when the interval is up. */
    async batchDone(c: Committer): Promise<void> {
      committer = c;
      if (intervalMs === 0) return commitResolved(c);
      if (now() - lastStarted >= intervalMs) inBackground(c);
    },
    /**
     * Commits every resolved offset now, after any commit in flight: on shutdown, before a rebalance and
     * when a batch fails, so that the group's next owner of a partition starts after what is done.
     */
    async flush(): Promise<void> {
      await inFlight;
      if (committer) await commitResolved(committer);
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

export type OffsetCommits = ReturnType<typeof offsetCommits>;
