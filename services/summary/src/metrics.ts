import type { Metrics } from '@chippy/runtime';
import { cabinetItems } from '@chippy/shop';
import type { Summary } from './summary.js';

/**
 * The summary's figures as Prometheus gauges. They are gauges, not counters, even where the name ends in
 * `_total` (the name docs/operations.md's metrics table gives): the summary does not count anything itself, it reports what PostgreSQL
 * holds, and a restart of the summary must not reset them.
 */
export function summaryMetrics(metrics: Metrics) {
  const portionsSold = metrics.gauge(
    'chippy_summary_orders_total',
    'Portions sold per cabinet item (cod, chips, plaice), from the orders in PostgreSQL',
    ['item'],
  );
  const orders = metrics.gauge('chippy_summary_orders', 'Orders in PostgreSQL');
  const tillOrders = metrics.gauge('chippy_summary_till_orders', 'Orders in PostgreSQL per till', ['till']);
  const sourceUp = metrics.gauge(
    'chippy_summary_source_up',
    '1 when the last read of the source worked (postgres, redis, kafka), else 0',
    ['source'],
  );
  const readAt = metrics.gauge(
    'chippy_summary_totals_read_timestamp_seconds',
    'When the totals were last read from PostgreSQL (Unix time)',
  );

  const waiting = metrics.gauge(
    'chippy_orders_waiting',
    'Orders placed but not ready, by what they wait for: a preparer (the lag on orders) or the cook',
    ['stage'],
  );
  const latency = metrics.gauge(
    'chippy_summary_order_latency_seconds',
    'Order latency (order_time to ready) over the last minute, by quantile',
    ['quantile'],
  );

  return (summary: Summary): void => {
    const { totals, cabinet, preparers } = summary;
    if (preparers.data) {
      waiting.set({ stage: 'preparer' }, preparers.data.waiting.preparer);
      waiting.set({ stage: 'cook' }, preparers.data.waiting.cook);
    }
    const stats = summary.latency.data;
    if (stats?.p50 != null && stats.p95 != null) {
      latency.set({ quantile: '0.5' }, stats.p50);
      latency.set({ quantile: '0.95' }, stats.p95);
    }
    sourceUp.set({ source: 'postgres' }, totals.status === 'ok' ? 1 : 0);
    sourceUp.set({ source: 'redis' }, cabinet.status === 'ok' ? 1 : 0);
    sourceUp.set({ source: 'kafka' }, preparers.status === 'ok' ? 1 : 0);
    // Stale figures stay as they were rather than dropping to 0: they are the last known truth.
    if (!totals.data || !totals.readAt) return;
    for (const item of cabinetItems) portionsSold.set({ item }, totals.data.portions[item]);
    orders.set(totals.data.orders);
    for (const { till, orders: n } of totals.data.tills) tillOrders.set({ till }, n);
    readAt.set(Date.parse(totals.readAt) / 1000);
  };
}
