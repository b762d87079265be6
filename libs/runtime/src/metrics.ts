import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Histogram buckets (seconds) for latencies from a few milliseconds to a minute. */
export const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A registry per service (default process metrics, label `service` on every series) and helpers that
 * register into it, plus the metrics more than one service updates.
 */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = latencyBuckets,
  ) => new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });

  return {
    registry,
    counter,
    gauge,
    histogram,
    dlqMessages: counter('chippy_dlq_messages_total', 'Messages sent to the dead-letter topic', [
      'topic',
      'reason',
    ]),
    consumerLag: gauge('chippy_consumer_lag', 'Messages not yet consumed per partition', [
      'group',
      'topic',
      'partition',
    ]),
  };
}
