import { hostname } from 'node:os';
import { parseEnum, parseInteger, setting } from '@chippy/runtime';
import { parseId } from '@chippy/shop';
import { storeSettings } from '@chippy/stores';
import { claimTimes } from './claims.js';

/** The preparer's own settings, in the order --help lists them after the common ones. */
export const preparerSettings = {
  redisUrl: storeSettings.redisUrl,
  preparerId: setting({
    env: 'PREPARER_ID',
    flag: '--preparer-id',
    description: 'name of this preparer (on every OrderReady)',
    default: `${hostname()}-${process.pid}`,
    parse: parseId,
  }),
  concurrency: setting({
    env: 'PREPARER_CONCURRENCY',
    flag: '--concurrency',
    description:
      'partitions whose fetched messages are handed to the preparer at once; their messages are prepared together, one batch (up to the batch size) at a time',
    default: 64,
    parse: parseInteger({ min: 1, max: 64 }),
  }),
  batchSize: setting({
    env: 'PREPARER_BATCH_SIZE',
    flag: '--batch-size',
    description:
      'most messages prepared as one batch (one Redis step, one send, one commit or transaction); 0 = 1 at demo pace (TIME_SCALE > 0: one person, one order at a time), 500 when TIME_SCALE=0',
    default: 0,
    parse: parseInteger({ min: 0, max: 10_000 }),
  }),
  delivery: setting({
    env: 'DELIVERY',
    flag: '--delivery',
    description:
      'at-least-once (commit offsets after the hand-over is acknowledged) or exactly-once (consume → produce in Kafka transactions)',
    default: 'at-least-once',
    parse: parseEnum(['at-least-once', 'exactly-once']),
  }),
  commitIntervalMs: setting({
    env: 'PREPARER_COMMIT_INTERVAL_MS',
    flag: '--commit-interval-ms',
    description:
      'at least once: how often the offsets of batches handed over are committed, in the background (0 = as each batch ends, before the next fetch); a crash re-reads up to this many ms of orders, which the ledger skips',
    default: 1000,
    parse: parseInteger({ min: 0, max: 60_000 }),
  }),
  dedup: setting({
    env: 'PREPARER_DEDUP',
    flag: '--dedup',
    description:
      'ledger (skip orders already handed over, by order_id in Redis) or none (a teaching switch: shows what transactions alone do)',
    default: 'ledger',
    parse: parseEnum(['ledger', 'none']),
  }),
  fault: setting({
    env: 'PREPARER_FAULT',
    flag: '--fault',
    description:
      'for crash tests: SIGKILL this preparer in its first batch of two or more orders, after the Redis step (after-take) or after the send, before the commit (after-send)',
    default: 'none',
    parse: parseEnum(['none', 'after-take', 'after-send']),
  }),
};

/** PREPARER_BATCH_SIZE, with 0 meaning one at demo pace and 500 when TIME_SCALE=0. */
export const batchSizeFor = (batchSize: number, timeScale: number): number =>
  batchSize || (timeScale > 0 ? 1 : 500);

/**
 * KAFKA_CLIENT and DELIVERY that do not fit together, as a one-line message naming both, or undefined:
 * @platformatic/kafka's transactions are not bridged, for two faults of its own (docs/decisions/kafka-client.md).
 */
export function kafkaClientProblem(values: { kafkaClient?: string; delivery?: string }): string | undefined {
  if (values.kafkaClient === 'platformatic' && values.delivery === 'exactly-once') {
    return (
      'KAFKA_CLIENT=platformatic (--kafka-client) cannot run DELIVERY=exactly-once (--delivery): ' +
      "@platformatic/kafka's transactions cannot take over a transactional id from an earlier producer and " +
      'can show aborted records to read_committed readers; use KAFKA_CLIENT=kafkajs or DELIVERY=at-least-once'
    );
  }
  return undefined;
}

/**
 * A batch size that cannot be prepared within the hand-over limit at this TIME_SCALE, as a one-line message,
 * or undefined. At demo pace each order takes up to 1 s × TIME_SCALE to prepare, one after another, and the
 * whole batch must be handed over within claimTimes.handOverLimitMs of its claim: half of it at most goes
 * on preparing, the rest is left for the send.
 */
export function batchPaceProblem(values: { batchSize: number; timeScale: number }): string | undefined {
  const limitS = claimTimes.handOverLimitMs / 1000;
  const preparingS = batchSizeFor(values.batchSize, values.timeScale) * values.timeScale;
  if (preparingS <= limitS / 2) return undefined;
  return (
    `PREPARER_BATCH_SIZE (--batch-size) ${values.batchSize} at TIME_SCALE ${values.timeScale} takes up to ` +
    `${preparingS} s to prepare, over half the ${limitS} s a hand-over may take; ` +
    `use at most ${Math.floor(limitS / 2 / values.timeScale)}, or TIME_SCALE=0`
  );
}
