import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import { createLatencyWindow } from './latency.js';
import { refreshBoard, type Sources } from './refresh.js';
import type { Preparers } from './shop-view.js';
import { createBoard } from './summary.js';
import { toTotals, type Totals } from './totals.js';

const totals: Totals = toTotals({ orders: [{ orders: '4' }], items: [], tills: [], lastOrders: [] });
const down = () => Promise.reject(new Error('broker gone'));

async function until(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 2000) assert.fail(`not within 2 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The board with every source working but the preparers', and how often the totals were read. */
function refreshing(sources: Partial<Sources> = {}) {
  const board = createBoard({ intervalSeconds: 1, onChange: () => undefined, settleMs: 0 });
  const stop = new AbortController();
  const { logger, lines } = captureLogger();
  let totalsRead = 0;
  const done = refreshBoard(
    board,
    {
      totals: { what: 'read the totals', read: () => Promise.resolve(totals), onRead: () => totalsRead++ },
      cabinet: { what: 'read the cabinet', read: () => Promise.resolve({ cod: 1, chips: 2, plaice: 0 }) },
      preparers: { what: 'read the preparers', read: down },
      latency: {
        what: 'sum up the latency',
        read: () => Promise.resolve(createLatencyWindow(60_000).stats()),
      },
      ...sources,
    },
    { intervalMs: 5, logger, signal: stop.signal },
  );
  return { board, stop, done, lines, totalsRead: () => totalsRead };
}

describe('refreshBoard', () => {
  it('fills each part from its own source; a failing one is unavailable, the others are not held up', async () => {
    const { board, stop, done, lines, totalsRead } = refreshing();
    await until(() => totalsRead() >= 3, 'the totals read again and again');
    const summary = board.current();
    assert.equal(summary.totals.status, 'ok');
    assert.equal(summary.totals.data?.orders, 4);
    assert.deepEqual(summary.cabinet.data, { cod: 1, chips: 2, plaice: 0 });
    assert.equal(summary.latency.data?.count, 0);
    assert.equal(summary.preparers.status, 'unavailable');
    assert.equal(summary.preparers.error, 'broker gone');
    assert.ok(lines.some((line) => /^read the preparers failed, retrying/.test(String(line.msg))));
    stop.abort();
    await done;
  });

  it('keeps the last figures of a source that stops working, as stale', async () => {
    let working = true;
    const preparers = { lag: 7 } as Preparers;
    const read = () => (working ? Promise.resolve(preparers) : down());
    const { board, stop, done } = refreshing({ preparers: { what: 'read the preparers', read } });
    await until(() => board.current().preparers.status === 'ok', 'the preparers read');
    working = false;
    await until(() => board.current().preparers.status === 'stale', 'the preparers stale');
    assert.equal(board.current().preparers.data?.lag, 7);
    assert.equal(board.current().preparers.error, 'broker gone');
    stop.abort();
    await done;
  });

  it('stops every loop when the signal aborts', async () => {
    const { stop, done, totalsRead } = refreshing();
    await until(() => totalsRead() >= 1, 'the totals read');
    stop.abort();
    await done;
    const after = totalsRead();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(totalsRead(), after, 'no read after the loops stopped');
  });
});
