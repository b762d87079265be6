import type { Logger } from '@chippy/runtime';

/**
 * How long a preparer's claim on an order ("sending" in the ledger, see ledger.ts) holds the other
 * preparers off, at-least-once. The claimer must have its hand-over acknowledged within `handOverLimitMs`
 * of the claim, or stop (handOverWatchdog). A taker that finds the claim must not look for the order on
 * `orders-ready` before everything the claimer sent is either readable there or gone for good:
 *
 *   lease = handOverLimitMs   the claimer's last produce request left by then (or the process ended);
 *         + replicaLagMs      a record its leader appended becomes readable once the followers have it, or
 *                             once a lagging follower is dropped from the ISR: the broker's
 *                             replica.lag.time.max.ms (Kafka's default, which chippy keeps);
 *         + clockSkewMs       the claim's time is the claimer's clock, the wait is the taker's.
 *
 * Without the wait, a send stalled on a dead broker landed after another preparer had looked, found
 * nothing and handed the order over again (docs/architecture.md, "On a cluster of three brokers").
 * The limit stays under the consumer's 30 s session timeout, so a stalled member stops before the group
 * would have dropped it; and over a leader election's ~10 s, so a broker kill does not stop preparers.
 */
export const claimTimes = {
  handOverLimitMs: 20_000,
  replicaLagMs: 30_000,
  clockSkewMs: 5_000,
};

/** How long after a claim another preparer may look for the order in Kafka: 55 s (see claimTimes). */
export const claimLeaseMs = claimTimes.handOverLimitMs + claimTimes.replicaLagMs + claimTimes.clockSkewMs;

/**
 * The at-least-once hand-over's deadline: armed at the claim, disarmed once the send is acknowledged. If it
 * fires, the process stops at once (`stop`, by default exit 1, for the supervisor to restart): a produce
 * request kafkajs is still retrying must not land after the claim has lapsed.
 */
export function handOverWatchdog(
  logger: Logger,
  limitMs: number = claimTimes.handOverLimitMs,
  stop: () => void = () => process.exit(1),
  now: () => number = Date.now,
): (claimedAt: number) => () => void {
  return (claimedAt) => {
    const timer = setTimeout(
      () => {
        logger.fatal(
          { claimed_at: claimedAt, limit_ms: limitMs },
          'a hand-over outlived its claim on the orders: stopping, so that no send can land after another preparer takes them over',
        );
        logger.flush();
        stop();
      },
      Math.max(0, claimedAt + limitMs - now()),
    );
    return () => clearTimeout(timer);
  };
}
