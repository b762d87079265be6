import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakdown, sentBefore, stageDurations, stages, type OrderStamps } from './breakdown.js';

/** An order of preparer-1 whose stamps are `at` plus each offset. */
const order = (
  at: number,
  [created, prepareStarted, readyTime, sent, received]: number[],
  preparer = 'preparer-1',
): OrderStamps => ({
  preparer,
  orderTime: at,
  created: at + created!,
  prepareStarted: at + prepareStarted!,
  readyTime: at + readyTime!,
  sent: at + sent!,
  received: at + received!,
});

describe('the stage breakdown', () => {
  it('splits an order into its stages, which add up to its end-to-end', () => {
    const d = stageDurations(order(1000, [4, 10, 12, 13, 16]), undefined);
    assert.deepEqual(d, {
      till: 4,
      toPreparer: 6,
      behind: 0,
      afterSend: 6,
      redis: 2,
      ready: 12,
      handOver: 1,
      toReader: 3,
      total: 16,
    });
    assert.equal(d.till + d.toPreparer + d.redis, d.ready);
    assert.equal(d.ready + d.handOver + d.toReader, d.total);
  });

  it("splits the wait for the preparer at its previous batch's send", () => {
    const o = order(1000, [2, 10, 11, 11, 12]); // on the broker from 1002, picked up at 1010
    assert.deepEqual(
      [stageDurations(o, 1006).behind, stageDurations(o, 1006).afterSend],
      [4, 4],
      'sent at 1006',
    );
    assert.equal(stageDurations(o, 990).behind, 0, 'sent before the order was: all of it after the send');
    assert.equal(stageDurations(o, 1012).behind, 8, 'never more than the wait itself');
  });

  it("finds each preparer's batch before an order's: its last hand-over ready before the pick-up", () => {
    const before = sentBefore([
      { preparer: 'preparer-1', readyTime: 100, sent: 101 },
      { preparer: 'preparer-1', readyTime: 200, sent: 202 },
      { preparer: 'preparer-1', readyTime: 200, sent: 203 }, // the same batch, stamped a millisecond on
      { preparer: 'preparer-2', readyTime: 150, sent: 151 },
      { preparer: 'preparer-1', readyTime: 300, sent: 300 },
    ]);
    assert.equal(before('preparer-1', 250), 203);
    assert.equal(
      before('preparer-1', 200),
      101,
      "the order's own batch (ready at its pick-up) is not before it",
    );
    assert.equal(before('preparer-2', 250), 151);
    assert.equal(before('preparer-1', 100), undefined, 'its first batch');
    assert.equal(before('preparer-3', 1000), undefined);
  });

  it("summarizes each stage over the window, with the slowest 1 %'s means", () => {
    // 100 orders of one preparer 10 ms apart, each alone in its batch; the last one waited 50 ms more.
    const orders = Array.from({ length: 100 }, (_, i) =>
      order(i * 10, i === 99 ? [1, 53, 55, 55, 56] : [1, 3, 5, 5, 6]),
    );
    const result = breakdown(orders, orders, 2);
    assert.equal(result.orders, 100);
    assert.equal(result.missing, 2);
    assert.deepEqual(
      result.stages.map((s) => s.stage),
      Object.keys(stages),
      'every stage, in order',
    );
    const figures = (stage: string) => result.stages.find((s) => s.stage === stage)!;
    const ready = figures('ready');
    assert.deepEqual([ready.p50, ready.p99, ready.p999, ready.max], [5, 5, 55, 55]);
    assert.equal(ready.mean, 5.5);
    assert.equal(ready.tailMean, 55, 'the slowest 1 % is the slow order alone');
    assert.equal(figures('toPreparer').tailMean, 52);
    assert.equal(figures('redis').tailMean, 2);
    // Its batch before was sent at 985, before it was made at 991: none of its wait was behind that batch.
    assert.equal(figures('behind').max, 0);
    assert.equal(figures('afterSend').tailMean, 52);
  });

  it('the slowest 1 % is taken by rank, however many orders share the p99', () => {
    // 1,000 orders: 990 of 3 ms, 10 of 45 ms; the p99 is 3 ms, but the tail is the 10.
    const orders = Array.from({ length: 1000 }, (_, i) =>
      order(i * 10, i % 100 === 0 ? [1, 43, 45, 45, 46] : [1, 2, 3, 3, 4]),
    );
    const ready = breakdown(orders, orders).stages.find((s) => s.stage === 'ready')!;
    assert.equal(ready.p99, 3);
    assert.equal(ready.tailMean, 45);
  });

  it('leaves out the stages no order has a figure for', () => {
    const { received: _, ...unread } = order(1000, [4, 10, 12, 13, 16]);
    const d = stageDurations(unread, undefined);
    assert.ok(Number.isNaN(d.toReader) && Number.isNaN(d.total));
    assert.equal(d.ready, 12);
    const result = breakdown([unread], [unread]);
    assert.deepEqual(
      result.stages.map((s) => s.stage),
      ['till', 'toPreparer', 'behind', 'afterSend', 'redis', 'ready', 'handOver'],
      'no reader stages without a live reader',
    );
    assert.deepEqual(breakdown([], []), { orders: 0, missing: 0, stages: [] }, 'an empty window: no figures');
  });
});
