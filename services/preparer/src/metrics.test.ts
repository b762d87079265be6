import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '@chippy/runtime';
import { captureLogger } from '@chippy/runtime/testing';
import type { OrderReady } from '@chippy/shop';
import { preparerReport } from './metrics.js';
import { orderNo } from './testing/orders.js';

const ready = (n: number, cooked: boolean): OrderReady => ({
  ...orderNo(n),
  preparer: 'p1',
  prepare_started: 2_000,
  ready_time: 4_500,
  cooked,
});

async function valueOf(metrics: ReturnType<typeof createMetrics>, name: string) {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, name);
  return (await metric.get()).values.map((v) => [v.labels, v.value]);
}

describe("the preparer's metrics", () => {
  it('a batch: counted per preparer, each order timed and logged', async () => {
    const metrics = createMetrics('preparer');
    const { logger, lines } = captureLogger();
    const { report } = preparerReport(metrics, 'p1', logger);
    report({
      ready: [ready(1, false), ready(2, true)],
      cookRequests: [
        { order: orderNo(3), short: { plaice: 1 }, preparer: 'p1', prepare_started: 2_000, attempt: 1 },
      ],
      duplicates: [orderNo(4).order_id],
      deadLettered: 0,
    });
    assert.deepEqual(await valueOf(metrics, 'chippy_orders_prepared_total'), [[{ preparer: 'p1' }, 2]]);
    assert.deepEqual(await valueOf(metrics, 'chippy_orders_sent_to_cook_total'), [[{ preparer: 'p1' }, 1]]);
    assert.deepEqual(await valueOf(metrics, 'chippy_orders_duplicate_total'), [[{ preparer: 'p1' }, 1]]);
    const sums = async (name: string) =>
      (await valueOf(metrics, name)).filter(([labels]) => !('le' in (labels as object))).map(([, v]) => v);
    assert.deepEqual(await sums('chippy_order_prepare_seconds'), [5, 2], 'sum 2 × 2.5 s, count 2');
    assert.deepEqual(await sums('chippy_order_latency_seconds'), [7, 2], 'sum 2 × 3.5 s, count 2');
    assert.deepEqual(
      lines.map((l) => [l.msg, l.order_id]),
      [
        ['order ready', orderNo(1).order_id],
        ['order ready', orderNo(2).order_id],
        ['asked the cook', orderNo(3).order_id],
        ['order already handed over; skipped', orderNo(4).order_id],
      ],
    );
    assert.deepEqual(
      [lines[1]!.till, lines[1]!.count, lines[1]!.cooked, lines[2]!.short, lines[2]!.attempt],
      ['till-1', 2, true, { plaice: 1 }, 1],
    );
  });

  it('transactions are counted by how they ended', async () => {
    const metrics = createMetrics('preparer');
    const { transactionEnded } = preparerReport(metrics, 'p1', captureLogger().logger);
    transactionEnded('committed');
    transactionEnded('committed');
    transactionEnded('aborted');
    assert.deepEqual(await valueOf(metrics, 'chippy_preparer_transactions_total'), [
      [{ preparer: 'p1', outcome: 'committed' }, 2],
      [{ preparer: 'p1', outcome: 'aborted' }, 1],
    ]);
  });
});
