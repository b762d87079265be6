import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  noPortions,
  type InterruptedClaim,
  type LedgerMode,
  type OrderPortions,
  type TakeResult,
} from '@chippy/shop';
import { ledgerInTransaction, ledgersFor, noLedger, redisLedger } from './ledger.js';

function fakeCabinet() {
  const calls: unknown[] = [];
  const cabinet = {
    takeMany: (orders: readonly OrderPortions[], ledger?: LedgerMode) =>
      Promise.resolve(void calls.push(['take', orders.map((o) => o.orderId), ledger])).then(() =>
        orders.map((): TakeResult => ({ outcome: 'taken' })),
      ),
    reclaim: (claims: readonly InterruptedClaim[], now: number, preparer: string) =>
      Promise.resolve(void calls.push(['reclaim', claims, now, preparer])).then(() => true),
    markHandedOver: (...ids: string[]) => Promise.resolve(void calls.push(['ready', ids])),
  };
  return { cabinet, calls };
}

const orders = ['o1', 'o2'].map((orderId) => ({ orderId, portions: noPortions() }));

describe('the ledger', () => {
  it('at-least-once: one take claims the whole batch for this preparer from now, and ready is one step', async () => {
    const { cabinet, calls } = fakeCabinet();
    const ledger = redisLedger(cabinet, 'p1');
    await ledger.take(orders, 1_234);
    await ledger.reclaim([{ orderId: 'o3', since: 1_000 }], 1_300);
    await ledger.markReady(['o1', 'o2']);
    assert.deepEqual(calls, [
      ['take', ['o1', 'o2'], { mode: 'claim', since: 1_234, preparer: 'p1', leaseMs: 55_000 }],
      ['reclaim', [{ orderId: 'o3', since: 1_000 }], 1_300, 'p1'],
      ['ready', ['o1', 'o2']],
    ]);
  });

  it('PREPARER_DEDUP=none: portions are taken with no ledger, and nothing is recorded', async () => {
    const { cabinet, calls } = fakeCabinet();
    const ledger = noLedger(cabinet);
    await ledger.take(orders, 1_234);
    assert.equal(
      await ledger.reclaim([{ orderId: 'o3', since: 1_000 }], 1_300),
      true,
      'nothing to claim anew',
    );
    await ledger.markReady(['o1', 'o2']);
    assert.deepEqual(calls, [['take', ['o1', 'o2'], undefined]]);
  });

  it('in a transaction the ledger records ready only after the commit, and never sending', async () => {
    const { cabinet, calls } = fakeCabinet();
    const view = ledgerInTransaction(cabinet);
    assert.deepEqual(await view.ledger.take(orders, 5), [{ outcome: 'taken' }, { outcome: 'taken' }]);
    await view.ledger.markReady(['o1', 'o2']);
    // check: orders handed over are skipped, but nothing is claimed ("sending"): an aborted transaction's
    // order is simply prepared again, with no read of orders-ready.
    assert.deepEqual(
      calls,
      [['take', ['o1', 'o2'], { mode: 'check' }]],
      'nothing recorded before the commit',
    );
    await view.afterCommit();
    assert.deepEqual(calls, [
      ['take', ['o1', 'o2'], { mode: 'check' }],
      ['ready', ['o1', 'o2']],
    ]);
  });

  it('PREPARER_DEDUP picks the ledgers: with none, a transaction records nothing after its commit either', async () => {
    const { cabinet, calls } = fakeCabinet();
    const kept = ledgersFor('ledger', cabinet, 'p1');
    await kept.atLeastOnce.take(orders, 7);
    const view = kept.inTransaction();
    await view.ledger.take(orders, 7);
    await view.ledger.markReady(['o1']);
    await view.afterCommit();
    assert.notEqual(kept.inTransaction(), view, 'a fresh view for each transaction');
    const none = ledgersFor('none', cabinet, 'p1');
    await none.atLeastOnce.take(orders, 7);
    const noView = none.inTransaction();
    await noView.ledger.markReady(['o2']);
    await noView.afterCommit();
    assert.deepEqual(calls, [
      ['take', ['o1', 'o2'], { mode: 'claim', since: 7, preparer: 'p1', leaseMs: 55_000 }],
      ['take', ['o1', 'o2'], { mode: 'check' }],
      ['ready', ['o1']],
      ['take', ['o1', 'o2'], undefined],
    ]);
  });
});
