import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { sinkConfigProblems, unreadEnv } from './envcheck.js';
import {
  SCHEMA_NOTE,
  containerEnv,
  containersOf,
  k8sRuleViolations,
  kustomizeVersion,
  render,
  secretPlaceholderViolations,
  unknownFields,
  validateSchemas,
} from './k8s.js';
import { type Json, inRepo } from './repo.js';

const k8s = inRepo('deploy/k8s');

/** A copy of deploy/k8s with one file changed. */
function brokenTree(file: string, edit: (text: string) => string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'chippy-k8s-')), 'k8s');
  cpSync(k8s, dir, { recursive: true });
  const target = path.join(dir, file);
  writeFileSync(target, edit(readFileSync(target, 'utf8')));
  return dir;
}

function envProblems(objects: Json[]): string[] {
  return objects.flatMap((o) =>
    containersOf(o).flatMap((c) =>
      unreadEnv(
        `${String(o.kind)}/${String((o.metadata as Json).name)}`,
        c.command,
        c.image,
        containerEnv(c, objects),
      ),
    ),
  );
}

describe(`Kubernetes (kubectl kustomize; schemas from ${SCHEMA_NOTE})`, () => {
  test(`deploy/k8s renders (${kustomizeVersion()})`, () => {
    assert.ok(render(k8s).length > 10);
  });

  for (const [title, dir] of [
    ['deploy/k8s', k8s],
    ['deploy/k8s/overlays/aiven', path.join(k8s, 'overlays/aiven')],
  ] as const) {
    test(`${title}: every object validates against the Kubernetes OpenAPI schema, with no unknown field`, async () => {
      const objects = render(dir);
      assert.deepEqual(await validateSchemas(objects), []);
      assert.deepEqual(unknownFields(objects), []);
    });

    test(`${title}: every env var a chippy container gets is one its program reads; Secrets are placeholders`, () => {
      const objects = render(dir);
      assert.deepEqual(envProblems(objects), []);
      assert.deepEqual(secretPlaceholderViolations(objects), []);
    });
  }

  test('the base follows the deploy rules: replicas, probes, resources, labels, scrape annotations, stateful parts', () => {
    assert.deepEqual(k8sRuleViolations(render(k8s)), []);
  });

  test('the setup Jobs deploy sink configs that exist (karapace: classes installed in the Connect image)', () => {
    const job = (dir: string) => render(dir).find((o) => o.kind === 'Job') as Json;
    const [base] = containersOf(job(k8s));
    assert.deepEqual(sinkConfigProblems('Job/connect-setup', base?.command, true), []);
    const [aiven] = containersOf(job(path.join(k8s, 'overlays/aiven')));
    assert.match(String(aiven?.command), /--target aiven/);
    assert.deepEqual(sinkConfigProblems('aiven Job/connect-setup', aiven?.command, false), []);
  });

  test('the Aiven overlay has no in-cluster Kafka, Karapace or Connect, and mounts the client certificates', () => {
    const objects = render(path.join(k8s, 'overlays/aiven'));
    const names = objects.map((o) => `${String(o.kind)}/${String((o.metadata as Json).name)}`);
    for (const gone of ['StatefulSet/kafka', 'Deployment/karapace', 'Deployment/connect'])
      assert.ok(!names.includes(gone));
    // Every Kafka client, that is every chippy service (the sink's watcher talks only to Connect).
    const isService = (x: Json) =>
      x.kind === 'Deployment' &&
      ((x.metadata as Json).labels as Json)['app.kubernetes.io/component'] === 'service';
    for (const o of objects.filter(isService)) {
      const [c] = containersOf(o);
      assert.ok(
        JSON.stringify(c?.volumeMounts).includes('/etc/chippy/kafka-certs'),
        String((o.metadata as Json).name),
      );
    }
  });

  test('optional/keda scales preparers on lag, at most one per orders partition (6)', () => {
    const [scaled] = render(path.join(k8s, 'optional/keda'));
    const spec = scaled?.spec as Json;
    assert.equal(scaled?.kind, 'ScaledObject');
    assert.equal((spec.scaleTargetRef as Json).name, 'preparer');
    assert.equal(spec.maxReplicaCount, 6);
    const [trigger] = spec.triggers as Json[];
    assert.equal((trigger?.metadata as Json).consumerGroup, 'preparers');
  });

  describe('each check fails on a broken copy', () => {
    test('a missing resource file: kustomize fails', () => {
      const dir = brokenTree('base/kustomization.yaml', (t) => t);
      rmSync(path.join(dir, 'base/cook.yaml'));
      assert.throws(() => render(dir), /kubectl kustomize .* failed/);
    });

    test('a wrongly typed field fails the OpenAPI schema', async () => {
      const dir = brokenTree('base/till.yaml', (t) => t.replace('replicas: 3', 'replicas: three'));
      assert.match(
        (await validateSchemas(render(dir))).join('\n'),
        /Deployment\/till: .*replicas must be integer/,
      );
    });

    test('a misspelt field is an unknown field', () => {
      const dir = brokenTree('base/preparer.yaml', (t) => t.replace('readinessProbe:', 'readinesProbe:'));
      assert.match(unknownFields(render(dir)).join('\n'), /Deployment\/preparer: .*readinesProbe/);
    });

    test('a kind that does not exist in Kubernetes 1.33 is reported', async () => {
      assert.match(
        (
          await validateSchemas([{ apiVersion: 'apps/v1', kind: 'Deploymint', metadata: { name: 'x' } }])
        ).join(''),
        /not a Kubernetes v1.33 kind/,
      );
    });

    test('wrong replicas, a missing probe or annotation, an unread env var and a real secret are reported', () => {
      const dir = brokenTree('base/preparer.yaml', (t) =>
        t
          .replace('replicas: 2', 'replicas: 1')
          .replace('path: /readyz', 'path: /healthz')
          .replace("prometheus.io/port: '9102'", "prometheus.io/port: '9100'")
          .replace(
            '            - name: REDIS_URL\n',
            '            - name: PREPARER_SPEED\n              value: fast\n            - name: REDIS_URL\n',
          ),
      );
      const objects = render(dir);
      const problems = k8sRuleViolations(objects).join('\n');
      assert.match(problems, /Deployment\/preparer: replicas 1, expected 2/);
      assert.match(problems, /readinessProbe is not GET \/readyz/);
      assert.match(problems, /prometheus.io annotations do not scrape HTTP_PORT 9102/);
      assert.deepEqual(envProblems(objects), [
        'Deployment/preparer: PREPARER_SPEED is not read by services/preparer/dist/main.js',
      ]);
      const secret = brokenTree('base/secrets.yaml', (t) =>
        t.replace('POSTGRES_PASSWORD: CHANGE-ME', 'POSTGRES_PASSWORD: hunter2'),
      );
      assert.match(
        secretPlaceholderViolations(render(secret)).join(''),
        /POSTGRES_PASSWORD is not a CHANGE-ME placeholder/,
      );
    });
  });
});
