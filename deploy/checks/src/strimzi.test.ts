import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { topicConfigEntries, topicDeclarations, topicNames } from '@chippy/shop';
import { parse } from 'yaml';
import { render } from './k8s.js';
import { type Json, inRepo } from './repo.js';
import { isStrimzi, strimziModelProblems, strimziVersion } from './strimzi.js';

const overlay = inRepo('deploy/k8s/overlays/strimzi');
const byKind = (objects: Json[], kind: string) => objects.filter((o) => o.kind === kind);
const nameOf = (o: Json) => String((o.metadata as Json).name);

/** A copy of deploy/k8s with one file of the Strimzi overlay changed; returns the overlay's copy. */
function brokenOverlay(file: string, edit: (text: string) => string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-strimzi-')), 'k8s');
  cpSync(inRepo('deploy/k8s'), dir, { recursive: true });
  const target = path.join(dir, 'overlays/strimzi', file);
  const before = readFileSync(target, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, `the edit of ${file} changed nothing`);
  writeFileSync(target, after);
  return path.join(dir, 'overlays/strimzi');
}

/** Each topic the services use, with what libs/kafka declares for it: partitions and topic configs. */
function designTopics(): Map<string, Record<string, string>> {
  return new Map(
    Object.entries(topicNames('')).map(([key, name]) => {
      const declaration = topicDeclarations[key as keyof typeof topicDeclarations];
      const configs = topicConfigEntries(declaration).map((e): [string, string] => [e.name, e.value]);
      return [name, { partitions: String(declaration.partitions), ...Object.fromEntries(configs) }];
    }),
  );
}

function topicProblems(objects: Json[], design: Map<string, Record<string, string>>): string[] {
  const topics = new Map<string, Record<string, string>>(
    byKind(objects, 'KafkaTopic').map((t) => {
      const spec = t.spec as { partitions: number; config?: Record<string, string | number> };
      const config = Object.entries(spec.config ?? {}).map(([k, v]) => [k, String(v)]);
      return [nameOf(t), { partitions: String(spec.partitions), ...Object.fromEntries(config) }];
    }),
  );
  return [...design].flatMap(([name, declared]) =>
    Object.entries(declared).flatMap(([key, value]) => {
      const actual = topics.get(name)?.[key];
      return actual === value
        ? []
        : [`KafkaTopic ${name}: ${key} ${String(actual)}, libs/shop/src/topics.ts says ${value}`];
    }),
  );
}

/** The KafkaConnector's config against connectors/sink/karapace-avro.json: same keys, same fixed values. */
function connectorProblems(objects: Json[]): string[] {
  const template = JSON.parse(readFileSync(inRepo('connectors/sink/karapace-avro.json'), 'utf8')) as Record<
    string,
    string
  >;
  const [connector] = byKind(objects, 'KafkaConnector');
  const config = ((connector?.spec as Json | undefined)?.config ?? {}) as Record<string, string>;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(template)) {
    if (key === 'connector.class' || key === 'tasks.max') continue;
    if (!(key in config)) problems.push(`KafkaConnector lacks ${key}`);
    else if (!/\$\{[A-Z_]+\}/.test(value) && String(config[key]) !== value)
      problems.push(`KafkaConnector ${key} is ${String(config[key])}, the sink template says ${value}`);
  }
  if ((connector?.spec as Json | undefined)?.class !== template['connector.class'])
    problems.push('KafkaConnector class differs from the sink template');
  return problems;
}

describe(`the Strimzi overlay (Strimzi's model: io.strimzi:api ${strimziVersion()})`, () => {
  const objects = render(overlay);

  it('has Kafka + KafkaNodePool (KRaft), KafkaConnect with sha512-pinned plugins, a KafkaConnector with autoRestart, KafkaTopics, KafkaUsers', () => {
    for (const kind of ['Kafka', 'KafkaNodePool', 'KafkaConnect', 'KafkaConnector', 'KafkaUser'])
      assert.ok(byKind(objects, kind).length > 0, kind);
    const [pool] = byKind(objects, 'KafkaNodePool');
    assert.deepEqual((pool?.spec as Json).roles, ['controller', 'broker']);
    const [connect] = byKind(objects, 'KafkaConnect');
    const plugins = ((connect?.spec as Json).build as Json).plugins as Json[];
    const jdbc = plugins.find((p) => p.name === 'debezium-connector-jdbc');
    assert.match(String((jdbc?.artifacts as Json[])[0]?.sha512sum), /^[0-9a-f]{128}$/);
    const [connector] = byKind(objects, 'KafkaConnector');
    assert.deepEqual((connector?.spec as Json).autoRestart, { enabled: true });
    assert.equal(((connector?.spec as Json).config as Json)['connection.password'], '${env:JDBC_PASSWORD}');
    for (const user of byKind(objects, 'KafkaUser'))
      assert.equal(((user.spec as Json).authentication as Json).type, 'scram-sha-512');
    const names = objects.map((o) => `${String(o.kind)}/${nameOf(o)}`);
    for (const gone of ['StatefulSet/kafka', 'Deployment/connect', 'Deployment/connect-watch'])
      assert.ok(!names.includes(gone), gone);
    assert.ok(names.includes('Deployment/karapace'));
  });

  it('every Strimzi resource reads into the model with no unknown field', () => {
    assert.ok(objects.filter(isStrimzi).length >= 10);
    assert.deepEqual(strimziModelProblems(objects), []);
  });

  it('an unknown field anywhere in a resource, a wrong type or an unserved version is reported', () => {
    const dir = brokenOverlay('connect.yaml', (t) =>
      t
        .replace('  tasksMax: 1', '  taskMax: 1')
        .replace('  autoRestart:\n    enabled: true', '  autoRestart:\n    enabled: true\n    maxRestart: 5')
        .replace('            sha512sum:', '            sha512: x\n            sha512sum:')
        .replace('  replicas: 1\n  bootstrapServers', '  replicas: one\n  bootstrapServers'),
    );
    const problems = strimziModelProblems(render(dir)).join('\n');
    assert.match(problems, /KafkaConnector\/chippy-orders-sink\.spec: unknown field\(s\) \[taskMax\]/);
    assert.match(
      problems,
      /KafkaConnector\/chippy-orders-sink\.spec\.autoRestart: unknown field\(s\) \[maxRestart\]/,
    );
    assert.match(
      problems,
      /KafkaConnect\/chippy-connect: Cannot deserialize value of type .* from String "one"/,
    );
    const version = brokenOverlay('users.yaml', (t) =>
      t.replace('kafka.strimzi.io/v1\n', 'kafka.strimzi.io/v1beta1\n'),
    );
    assert.match(
      strimziModelProblems(render(version)).join('\n'),
      /KafkaUser\/chippy: apiVersion kafka.strimzi.io\/v1beta1 is not served/,
    );
  });

  it('KafkaTopics carry the declared partitions, cleanup policy and retention, for every topic the services use', () => {
    const design = designTopics();
    assert.equal(design.get('orders')?.partitions, '6');
    assert.deepEqual(topicProblems(objects, design), []);
    const dir = brokenOverlay('topics.yaml', (t) =>
      t
        .replace('partitions: 6', 'partitions: 3')
        .replace('retention.ms: 2592000000', 'retention.ms: 604800000'),
    );
    assert.deepEqual(topicProblems(render(dir), design), [
      'KafkaTopic orders: partitions 3, libs/shop/src/topics.ts says 6',
      'KafkaTopic orders-dlq: retention.ms 604800000, libs/shop/src/topics.ts says 2592000000',
    ]);
  });

  it('the KafkaConnector is the sink of connectors/sink/karapace-avro.json', () => {
    assert.deepEqual(connectorProblems(objects), []);
    const dir = brokenOverlay('connect.yaml', (t) =>
      t
        .replace('    insert.mode: upsert\n', '')
        .replace('primary.key.fields: order_id', 'primary.key.fields: id'),
    );
    assert.deepEqual(connectorProblems(render(dir)), [
      'KafkaConnector lacks insert.mode',
      'KafkaConnector primary.key.fields is id, the sink template says order_id',
    ]);
  });

  it("the brokers' JMX exporter rules are the base's (the dashboard's queries work on both paths)", () => {
    const rules = (file: string) => parse(readFileSync(file, 'utf8')) as Json;
    assert.deepEqual(
      rules(path.join(overlay, 'kafka-metrics.yml')),
      rules(inRepo('deploy/compose/connect/jmx-exporter/kafka-broker.yml')),
    );
    const [kafka] = byKind(objects, 'Kafka');
    const metrics = ((kafka?.spec as Json).kafka as Json).metricsConfig as Json;
    const ref = (metrics.valueFrom as Json).configMapKeyRef as Json;
    const map = objects.find((o) => o.kind === 'ConfigMap' && nameOf(o) === ref.name);
    assert.ok(map && String(ref.key) in (map.data as Json));
    assert.ok((kafka?.spec as Json).kafkaExporter);
  });
});
