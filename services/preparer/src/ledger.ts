import type { Cabinet, InterruptedClaim, OrderPortions, TakeResult } from '@chippy/shop';
import { claimLeaseMs } from './claims.js';

/**
 * Where each order stands, shared by every preparer (Redis, in the order's cabinet record), so a redelivered
 * order — after a crash or a rebalance, to this preparer or another — is never prepared twice.
 *   no state → never handed over: take its portions and prepare it.
 *   sending  → its portions were taken and a preparer is handing it over, or was when it stopped. Its claim
 *              holds the others off for a lease (claims.ts); after that, whether the OrderReady reached
 *              Kafka is known by checking `orders-ready` (see published.ts), and the order is claimed anew.
 *   ready    → handed over: skip.
 * Checking the state, taking the portions and marking the orders "sending" are one Redis script for a whole
 * batch (one round trip), and recording them ready is one more: the bench measured each round trip at a
 * quarter of a preparer's CPU when it was made per order.
 */
export interface OrderLedger {
  /**
   * Takes each order's portions (all or none, once per order) unless it was handed over; `handed-over` and
   * `interrupted` say where an earlier delivery got to. `now` is when the hand-over starts, for recovery.
   * One result per order, in order.
   */
  take(orders: readonly OrderPortions[], now: number): Promise<TakeResult[]>;
  /**
   * Claims interrupted orders (found not in Kafka) for this preparer from `now`, if no other preparer has
   * claimed them since the take: false if one has.
   */
  reclaim(claims: readonly InterruptedClaim[], now: number): Promise<boolean>;
  /** Records that the orders' OrderReady messages are in Kafka. */
  markReady(orderIds: readonly string[]): Promise<void>;
}

type Records = Pick<Cabinet, 'takeMany' | 'reclaim' | 'markHandedOver'>;

/** Nothing is claimed, so there is nothing to claim anew. */
const nothingToReclaim = () => Promise.resolve(true);

/** The ledger for at-least-once delivery: every take claims the order ("sending") until it is ready. */
export function redisLedger(cabinet: Records, preparer: string, leaseMs: number = claimLeaseMs): OrderLedger {
  return {
    take: (orders, since) => cabinet.takeMany(orders, { mode: 'claim', since, preparer, leaseMs }),
    reclaim: (claims, now) => cabinet.reclaim(claims, now, preparer),
    markReady: (orderIds) => cabinet.markHandedOver(...orderIds),
  };
}

/** A ledger that remembers nothing (PREPARER_DEDUP=none): every delivery is prepared. */
export function noLedger(cabinet: Records): OrderLedger {
  return {
    take: (orders) => cabinet.takeMany(orders),
    reclaim: nothingToReclaim,
    markReady: () => Promise.resolve(),
  };
}

/** A ledger for one transaction, and what to record once it has committed. */
export interface TransactionLedger {
  ledger: OrderLedger;
  afterCommit(): Promise<void>;
}

/**
 * The ledger as one transaction sees it. `sending` is not recorded: with transactions, whether an
 * OrderReady reached readers is exactly whether its transaction committed, and a committed transaction
 * also committed the offset, so the message is not delivered again (and `orders-ready` read with
 * read_committed would not say otherwise). `ready` is recorded only after the commit (`afterCommit`), never
 * for an OrderReady that might still be aborted; `ready` entries are skipped as before.
 */
export function ledgerInTransaction(cabinet: Records): TransactionLedger {
  const ready: string[] = [];
  return {
    ledger: {
      take: (orders) => cabinet.takeMany(orders, { mode: 'check' }),
      reclaim: nothingToReclaim,
      markReady(orderIds) {
        ready.push(...orderIds);
        return Promise.resolve();
      },
    },
    afterCommit: () => cabinet.markHandedOver(...ready),
  };
}

/**
 * The ledgers PREPARER_DEDUP chooses: one for every at-least-once batch, and a fresh view for each
 * transaction (exactly-once), which with `none` remembers nothing either.
 */
export function ledgersFor(
  dedup: 'ledger' | 'none',
  cabinet: Records,
  preparer: string,
): { atLeastOnce: OrderLedger; inTransaction: () => TransactionLedger } {
  if (dedup === 'ledger') {
    return { atLeastOnce: redisLedger(cabinet, preparer), inTransaction: () => ledgerInTransaction(cabinet) };
  }
  const ledger = noLedger(cabinet);
  return { atLeastOnce: ledger, inTransaction: () => ({ ledger, afterCommit: () => Promise.resolve() }) };
}
