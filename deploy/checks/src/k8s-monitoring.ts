import { selects, workloads } from './k8s-refs.js';
import { type Json, isObject } from './repo.js';

/**
 * Prometheus Operator monitors (deploy/k8s/optional/monitoring): each selects pods (or Services) of
 * the rendered manifests, in its own namespace unless it says otherwise, on a port they name; and every
 * metrics endpoint of the manifests is scraped by one. The resources' fields are checked against the
 * operator's definitions by k8s.ts (validateSchemas, unknownFields).
 */

const nameOf = (o: Json) => `${String(o.kind)}/${String((o.metadata as Json | undefined)?.name)}`;
const list = <T = Json>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const namespaceOf = (o: Json) =>
  ((o.metadata as Json | undefined)?.namespace as string | undefined) ?? 'default';

/** The port Strimzi gives the metrics of brokers, Connect and kafka-exporter (9404). */
export const STRIMZI_METRICS_PORT = 'tcp-prometheus';

/** Strimzi resources whose pods serve metrics on tcp-prometheus, by the strimzi.io/kind of their pods. */
function strimziMetricsKinds(objects: Json[]): Set<string> {
  const kinds = new Set<string>();
  for (const o of objects) {
    const spec = (o.spec ?? {}) as Json;
    if (o.kind === 'Kafka' && ((spec.kafka as Json | undefined)?.metricsConfig || spec.kafkaExporter))
      kinds.add('Kafka');
    if (o.kind === 'KafkaConnect' && spec.metricsConfig) kinds.add('KafkaConnect');
  }
  return kinds;
}

/** The strimzi.io/kind values a selector on Strimzi's labels only can match, or undefined if not such a selector. */
function strimziKindsSelected(selector: Json): string[] | undefined {
  const keys = [
    ...Object.keys(selector.matchLabels ?? {}),
    ...list(selector.matchExpressions).map((e) => String(e.key)),
  ];
  if (keys.length === 0 || !keys.every((k) => k.startsWith('strimzi.io/'))) return undefined;
  const fromLabels = ((selector.matchLabels ?? {}) as Json)['strimzi.io/kind'];
  if (typeof fromLabels === 'string') return [fromLabels];
  const expr = list(selector.matchExpressions).find(
    (e) => e.key === 'strimzi.io/kind' && e.operator === 'In',
  );
  return expr ? list<string>(expr.values) : [];
}

const containerPorts = (pod: Json) =>
  new Set(
    list(pod.containers)
      .flatMap((c) => list(c.ports))
      .map((p) => p.name)
      .filter((n): n is string => typeof n === 'string'),
  );

/** PodMonitors and ServiceMonitors that select nothing, another namespace's pods, or a port they lack. */
export function monitorProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  const pods = workloads(objects);
  const strimziKinds = strimziMetricsKinds(objects);
  for (const m of objects.filter((o) => o.kind === 'PodMonitor' || o.kind === 'ServiceMonitor')) {
    const spec = (m.spec ?? {}) as Json;
    const selector = (spec.selector ?? {}) as Json;
    const nsSelector = (spec.namespaceSelector ?? {}) as Json;
    const inScope = (o: Json) =>
      nsSelector.any === true ||
      (Array.isArray(nsSelector.matchNames)
        ? list<string>(nsSelector.matchNames).includes(namespaceOf(o))
        : namespaceOf(o) === namespaceOf(m));
    const endpoints = list(m.kind === 'PodMonitor' ? spec.podMetricsEndpoints : spec.endpoints);
    if (endpoints.length === 0) problems.push(`${nameOf(m)}: no endpoints`);
    if (m.kind === 'PodMonitor') {
      const strimzi = strimziKindsSelected(selector);
      if (strimzi !== undefined) {
        // Pods the Strimzi operator makes: the resource must exist with metrics enabled, and the port is Strimzi's.
        const missing = strimzi.filter((k) => !strimziKinds.has(k));
        if (strimzi.length === 0 || missing.length === strimzi.length)
          problems.push(
            `${nameOf(m)}: selects Strimzi pods (${strimzi.join(', ') || 'no kind'}) that serve no metrics here`,
          );
        for (const e of endpoints)
          if (e.port !== STRIMZI_METRICS_PORT)
            problems.push(
              `${nameOf(m)}: Strimzi serves metrics on port ${STRIMZI_METRICS_PORT}, not ${String(e.port)}`,
            );
        continue;
      }
      const selected = pods.filter((w) => inScope(w.object) && selects(selector, w.labels));
      if (selected.length === 0) {
        const elsewhere = pods.some((w) => selects(selector, w.labels));
        problems.push(
          elsewhere
            ? `${nameOf(m)}: its pods are in another namespace than ${namespaceOf(m)} and it has no namespaceSelector`
            : `${nameOf(m)}: selects no pod`,
        );
        continue;
      }
      for (const e of endpoints)
        for (const w of selected)
          if (typeof e.port !== 'string' || !containerPorts(w.pod).has(e.port))
            problems.push(`${nameOf(m)}: ${nameOf(w.object)} names no container port ${String(e.port)}`);
    } else {
      const services = objects.filter(
        (o) =>
          o.kind === 'Service' &&
          inScope(o) &&
          selects(selector, ((o.metadata as Json).labels ?? {}) as Json),
      );
      if (services.length === 0) problems.push(`${nameOf(m)}: selects no Service`);
      for (const e of endpoints)
        for (const s of services)
          if (!list((s.spec as Json).ports).some((p) => p.name === e.port))
            problems.push(`${nameOf(m)}: ${nameOf(s)} names no port ${String(e.port)}`);
    }
  }
  return problems;
}

/**
 * Every metrics endpoint of the manifests is scraped by a monitor: each pod with a prometheus.io/scrape
 * annotation or a container port named metrics, and each Strimzi resource that serves metrics.
 */
export function unscrapedProblems(objects: Json[]): string[] {
  const monitors = objects.filter((o) => o.kind === 'PodMonitor');
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const annotations = (((w.object.spec as Json).template as Json).metadata as Json | undefined)
      ?.annotations as Json | undefined;
    const ports = containerPorts(w.pod);
    if (annotations?.['prometheus.io/scrape'] !== 'true' && !ports.has('metrics')) continue;
    const scraped = monitors.some(
      (m) =>
        namespaceOf(m) === namespaceOf(w.object) &&
        selects((m.spec as Json).selector ?? {}, w.labels) &&
        list((m.spec as Json).podMetricsEndpoints).some((e) => ports.has(String(e.port))),
    );
    if (!scraped) problems.push(`${nameOf(w.object)}: serves metrics that no PodMonitor scrapes`);
  }
  for (const kind of strimziMetricsKinds(objects)) {
    const scraped = monitors.some((m) =>
      (strimziKindsSelected(((m.spec as Json).selector ?? {}) as Json) ?? []).includes(kind),
    );
    if (!scraped) problems.push(`Strimzi's ${kind} pods serve metrics that no PodMonitor scrapes`);
  }
  return problems;
}

/** The PromQL expressions of every PrometheusRule, for promtool. */
export const ruleExpressions = (objects: Json[]): string[] =>
  objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => list((o.spec as Json).groups).flatMap((g) => list(g.rules)))
    .map((r) => (isObject(r) ? String(r.expr) : ''));
