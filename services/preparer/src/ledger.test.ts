import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noPortions, type LedgerMode, type TakeResult } from '@chippy/messaging';
import { ledgerInTransaction, noLedger, redisLedger } from './ledger.js';

function fakeCabinet() {
  const calls: unknown[] = [];
  const cabinet = {
    take: (id: string, _p: unknown, ledger?: LedgerMode) =>
      Promise.resolve(void calls.push(['take', id, ledger])).then((): TakeResult => ({ outcome: 'taken' })),
    markHandedOver: (id: string) => Promise.resolve(void calls.push(['ready', id])),
  };
  return { cabinet, calls };
}

test('at-least-once: a take claims the order for this preparer from now, and ready is recorded', async () => {
  const { cabinet, calls } = fakeCabinet();
  const ledger = redisLedger(cabinet, 'p1');
  await ledger.take('o1', noPortions(), 1_234);
  await ledger.markReady('o1');
  assert.deepEqual(calls, [
    ['take', 'o1', { mode: 'claim', since: 1_234, preparer: 'p1' }],
    ['ready', 'o1'],
  ]);
});

test('PREPARER_DEDUP=none: portions are taken with no ledger, and nothing is recorded', async () => {
  const { cabinet, calls } = fakeCabinet();
  const ledger = noLedger(cabinet);
  await ledger.take('o1', noPortions(), 1_234);
  await ledger.markReady('o1');
  assert.deepEqual(calls, [['take', 'o1', undefined]]);
});

test('in a transaction the ledger records ready only after the commit, and never sending', async () => {
  const { cabinet, calls } = fakeCabinet();
  const view = ledgerInTransaction(cabinet);
  assert.deepEqual(await view.ledger.take('o1', noPortions(), 5), { outcome: 'taken' });
  await view.ledger.markReady('o1');
  // check: orders handed over are skipped, but nothing is claimed ("sending"): an aborted transaction's
  // order is simply prepared again, with no read of orders-ready.
  assert.deepEqual(calls, [['take', 'o1', { mode: 'check' }]], 'nothing recorded before the commit');
  await view.afterCommit();
  assert.deepEqual(calls, [
    ['take', 'o1', { mode: 'check' }],
    ['ready', 'o1'],
  ]);
});
