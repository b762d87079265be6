import { latencyBuckets, type Logger, type Metrics } from '@chippy/runtime';
import type { BatchOutcome } from './preparer.js';

/** The preparer's metrics and its lines about each order, for batches whose output is final. */
export interface PreparerReport {
  /** A batch sent (at-least-once) or its transaction committed (exactly-once). */
  report: (outcome: BatchOutcome) => void;
  /** A Kafka transaction ended (exactly-once). */
  transactionEnded: (outcome: 'committed' | 'aborted') => void;
}

export function preparerReport(
  metrics: Pick<Metrics, 'counter' | 'histogram'>,
  preparerId: string,
  logger: Logger,
): PreparerReport {
  const labels = { preparer: preparerId };
  const prepared = metrics.counter('chippy_orders_prepared_total', 'Orders handed over', ['preparer']);
  const sentToCook = metrics.counter('chippy_orders_sent_to_cook_total', 'Cook requests made', ['preparer']);
  const transactions = metrics.counter(
    'chippy_preparer_transactions_total',
    'Kafka transactions ended (DELIVERY=exactly-once)',
    ['preparer', 'outcome'],
  );
  const duplicates = metrics.counter('chippy_orders_duplicate_total', 'Redelivered orders skipped', [
    'preparer',
  ]);
  const prepareSeconds = metrics.histogram(
    'chippy_order_prepare_seconds',
    'From picking an order up to handing it over',
    [],
    latencyBuckets,
  );
  const latencySeconds = metrics.histogram(
    'chippy_order_latency_seconds',
    'From order_time to ready',
    [],
    latencyBuckets,
  );

  return {
    report(outcome) {
      prepared.inc(labels, outcome.ready.length);
      sentToCook.inc(labels, outcome.cookRequests.length);
      duplicates.inc(labels, outcome.duplicates.length);
      for (const ready of outcome.ready) {
        prepareSeconds.observe((ready.ready_time - ready.prepare_started) / 1000);
        latencySeconds.observe((ready.ready_time - ready.order_time) / 1000);
        logger.info(
          { order_id: ready.order_id, till: ready.till, count: ready.count, cooked: ready.cooked },
          'order ready',
        );
      }
      for (const request of outcome.cookRequests) {
        logger.info(
          { order_id: request.order.order_id, short: request.short, attempt: request.attempt },
          'asked the cook',
        );
      }
      for (const orderId of outcome.duplicates) {
        logger.info({ order_id: orderId }, 'order already handed over; skipped');
      }
    },
    transactionEnded: (outcome) => transactions.inc({ ...labels, outcome }),
  };
}
