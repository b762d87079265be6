import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { render, unknownFields, validateSchemas } from './k8s.js';
import { jmxConnectSamples } from './jmx-connect.js';
import { monitorProblems, ruleExpressions, unscrapedProblems } from './k8s-monitoring.js';
import { checkPromQL } from './prometheus.js';
import { brokenK8s } from './k8s-copies.js';
import { type Json, inRepo } from './repo.js';

/** Each path with the monitoring components an operator would add to it. */
const PATHS: [string, string, string[]][] = [
  ['deploy/k8s', 'base', ['services', 'kafka']],
  ['optional/keda', 'optional/keda', ['services', 'kafka']],
  ['overlays/strimzi', 'overlays/strimzi', ['services', 'strimzi']],
  ['overlays/aiven', 'overlays/aiven', ['services']],
];

/**
 * A copy of deploy/k8s (with `edits`) and a kustomization in it that applies `tree` with the monitoring
 * `components`, as an operator's own kustomization would; returns that kustomization's directory.
 */
function withMonitoring(
  tree: string,
  components: string[],
  edits: Record<string, (t: string) => string> = {},
): string {
  const root = brokenK8s(edits);
  writeFileSync(
    path.join(root, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${tree}`,
      'components:',
      ...components.map((c) => `  - optional/monitoring/${c}`),
      '',
    ].join('\n'),
  );
  return root;
}

const monitoringObjects = (objects: Json[]) =>
  objects.filter((o) => String(o.apiVersion).startsWith('monitoring.coreos.com/'));

describe("Prometheus Operator monitoring (optional/monitoring), against the operator's resource definitions", () => {
  for (const [title, tree, components] of PATHS)
    it(`${title} + ${components.join(' + ')}: valid PodMonitors and rules that select real pods on named ports; every metrics endpoint scraped`, async () => {
      const objects = render(withMonitoring(tree, components));
      const monitoring = monitoringObjects(objects);
      assert.ok(monitoring.length >= components.length, 'the components render their monitors');
      assert.deepEqual(await validateSchemas(monitoring), []);
      assert.deepEqual(unknownFields(monitoring), []);
      assert.deepEqual(monitorProblems(objects), []);
      assert.deepEqual(unscrapedProblems(objects), []);
      assert.deepEqual(checkPromQL(ruleExpressions(objects)), []);
    });

  it("the alerts read the metrics the JMX exporter rules name (brokers' and Connect's)", () => {
    const rules = (file: string) =>
      ((parse(readFileSync(inRepo(file), 'utf8')) as Json).rules as Json[]).map((r) =>
        String(r.name).toLowerCase(),
      );
    const names = [
      ...rules('deploy/compose/connect/jmx-exporter/kafka-broker.yml'),
      ...rules('deploy/compose/connect/jmx-exporter/kafka-connect.yml'),
    ].map((n) => n.replace('$1', ''));
    const objects = render(withMonitoring('base', ['kafka']));
    for (const expr of ruleExpressions(objects))
      for (const metric of expr.match(/\bkafka_[a-z_]+/g) ?? [])
        assert.ok(
          names.some((n) => metric === n || (n.endsWith('_') && metric.startsWith(n))),
          `${metric} is named by no JMX exporter rule`,
        );
  });

  it('the real JMX exporter agent, with the Connect rules over MBeans named as a worker names them, serves what the alerts read', async () => {
    const samples = await jmxConnectSamples(inRepo('deploy/compose/connect/jmx-exporter/kafka-connect.yml'));
    const has = (re: RegExp) => samples.some((l) => re.test(l));
    assert.ok(has(/^kafka_connect_worker_connector_count /), samples.join('\n'));
    assert.ok(
      has(/^kafka_connect_connector_status\{connector="chippy-orders-sink",status="running",?\} 1\.0/),
      samples.join('\n'),
    );
    assert.ok(
      has(/^kafka_connect_task_status\{connector="chippy-orders-sink",status="failed",task="0",?\} 1\.0/),
      samples.join('\n'),
    );
    assert.ok(
      has(
        /^kafka_connect_sink_task_sink_record_read_total\{connector="chippy-orders-sink",task="0",?\} 10\.0/,
      ),
      samples.join('\n'),
    );
    assert.ok(has(/^kafka_connect_task_error_deadletterqueue_produce_requests_total\{/), samples.join('\n'));
    // Every kafka_connect_* metric a rule expression reads is served.
    const served = new Set(samples.map((l) => l.split(/[{ ]/)[0]));
    for (const expr of ruleExpressions(render(withMonitoring('base', ['kafka']))))
      for (const metric of expr.match(/\bkafka_connect_[a-z_]+/g) ?? [])
        assert.ok(served.has(metric), metric);
  });

  it('the Connect rules are one file on every path (Compose, base, Strimzi)', () => {
    const text = (file: string) => readFileSync(inRepo(file), 'utf8');
    const canonical = text('deploy/compose/connect/jmx-exporter/kafka-connect.yml');
    assert.equal(text('deploy/k8s/base/kafka-connect-metrics.yml'), canonical);
    assert.equal(text('deploy/k8s/overlays/strimzi/kafka-connect-metrics.yml'), canonical);
  });

  describe('each check fails on a broken copy', () => {
    it('a misspelt field fails the PodMonitor definition', async () => {
      const objects = render(
        withMonitoring('base', ['services'], {
          'optional/monitoring/services/podmonitors.yaml': (t) =>
            t.replace('  podMetricsEndpoints:', '  podMetricEndpoints:'),
        }),
      );
      const monitoring = monitoringObjects(objects);
      assert.match(
        (await validateSchemas(monitoring)).join('\n'),
        /PodMonitor\/chippy-services: .*podMetricsEndpoints/,
      );
      assert.match(unknownFields(monitoring).join('\n'), /PodMonitor\/chippy-services: .*podMetricEndpoints/);
    });

    it('a port the pods do not name, a selector that matches nothing, a monitor in another namespace', () => {
      const port = render(
        withMonitoring('base', ['services', 'kafka'], {
          'optional/monitoring/kafka/podmonitors.yaml': (t) =>
            t.replace('    - port: metrics', '    - port: prometheus'),
        }),
      );
      assert.match(
        monitorProblems(port).join('\n'),
        /PodMonitor\/chippy-kafka: StatefulSet\/kafka names no container port prometheus/,
      );
      const none = render(
        withMonitoring('base', ['services'], {
          'optional/monitoring/services/podmonitors.yaml': (t) =>
            t.replace('values: [till, preparer, cook, summary, connect-watch]', 'values: [tills]'),
        }),
      );
      assert.match(monitorProblems(none).join('\n'), /PodMonitor\/chippy-services: selects no pod/);
      const namespace = render(
        withMonitoring('base', ['services'], {
          'optional/monitoring/services/podmonitors.yaml': (t) =>
            t.replace('  namespace: chippy', '  namespace: monitoring'),
        }),
      );
      assert.match(
        monitorProblems(namespace).join('\n'),
        /PodMonitor\/chippy-services: its pods are in another namespace than monitoring/,
      );
    });

    it("a metrics endpoint left unscraped, and Strimzi's pods scraped on a port Strimzi does not use", () => {
      const unscraped = render(withMonitoring('base', ['services']));
      const problems = unscrapedProblems(unscraped).join('\n');
      assert.match(problems, /StatefulSet\/kafka: serves metrics that no PodMonitor scrapes/);
      assert.match(problems, /Deployment\/connect: serves metrics that no PodMonitor scrapes/);
      const strimzi = render(
        withMonitoring('overlays/strimzi', ['services', 'strimzi'], {
          'optional/monitoring/strimzi/podmonitors.yaml': (t) =>
            t.replace('port: tcp-prometheus', 'port: metrics'),
        }),
      );
      assert.match(
        monitorProblems(strimzi).join('\n'),
        /Strimzi serves metrics on port tcp-prometheus, not metrics/,
      );
    });

    it("a Connect rule whose pattern misses the worker's MBeans: the alert's metric is not served", async () => {
      const rules = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-connect-rules-')), 'kafka-connect.yml');
      writeFileSync(
        rules,
        readFileSync(inRepo('deploy/compose/connect/jmx-exporter/kafka-connect.yml'), 'utf8').replace(
          'type=connector-task-metrics,',
          'type=connector-task-metric,',
        ),
      );
      const samples = await jmxConnectSamples(rules);
      assert.ok(samples.some((l) => l.startsWith('kafka_connect_worker_')));
      assert.ok(!samples.some((l) => l.startsWith('kafka_connect_task_status')));
    });

    it('a rule expression that is not PromQL', () => {
      const objects = render(
        withMonitoring('base', ['kafka'], {
          'optional/monitoring/rules/prometheus-rules.yaml': (t) =>
            t.replace(
              'expr: max(kafka_server_replicamanager_underminisrpartitioncount) > 0',
              'expr: max(kafka_server_replicamanager_underminisrpartitioncount > 0',
            ),
        }),
      );
      assert.notDeepEqual(checkPromQL(ruleExpressions(objects)), []);
    });
  });
});
