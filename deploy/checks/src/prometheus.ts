import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/**
 * promtool, from Debian's `prometheus` package, which `npm test` and `npm run test:unit` install before the
 * tests start (scripts/run-tests.mjs): installing it from parallel test files made apt-gets collide.
 */
export function promtool(): string {
  if (spawnSync('sh', ['-c', 'command -v promtool'], { stdio: 'ignore' }).status === 0) return 'promtool';
  throw new Error("promtool not found: install Debian's prometheus package (npm run test:unit installs it)");
}

function run(args: string[]): string[] {
  const result = spawnSync(promtool(), args, { encoding: 'utf8' });
  return result.status === 0
    ? []
    : [`promtool ${args[0]} ${args[1]}: ${(result.stdout + result.stderr).trim()}`];
}

/** `promtool check config` on a Prometheus configuration file. */
export const checkPrometheusConfig = (file: string) => run(['check', 'config', file]);

/** Parses PromQL expressions (a dashboard's queries) with `promtool check rules`, as recording rules. */
export function checkPromQL(exprs: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'chippy-promql-'));
  const file = path.join(dir, 'rules.yml');
  const rules = exprs.map((expr, i) => ({ record: `chippy:dashboard_query_${i}`, expr }));
  writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
  return run(['check', 'rules', file]);
}

/** chippy_* metric names a PromQL expression uses, without histogram suffixes. */
export const metricsIn = (expr: string) =>
  [...expr.matchAll(/\bchippy_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));

/** What kafka-exporter serves (danielqsj/kafka-exporter v1.9.0, its README's metric list). */
export const KAFKA_EXPORTER_METRICS = new Set([
  'kafka_brokers',
  'kafka_broker_info',
  'kafka_topic_partitions',
  'kafka_topic_partition_current_offset',
  'kafka_topic_partition_oldest_offset',
  'kafka_topic_partition_in_sync_replica',
  'kafka_topic_partition_leader',
  'kafka_topic_partition_leader_is_preferred',
  'kafka_topic_partition_replicas',
  'kafka_topic_partition_under_replicated_partition',
  'kafka_consumergroup_current_offset',
  'kafka_consumergroup_current_offset_sum',
  'kafka_consumergroup_lag',
  'kafka_consumergroup_lag_sum',
  'kafka_consumergroup_members',
]);

/** kafka_* metric names a PromQL expression uses. */
export const kafkaMetricsIn = (expr: string) => [...expr.matchAll(/\bkafka_[a-z_]+/g)].map((m) => m[0]);
