import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { hostsIn } from './compose.js';
import { configProviderProblems, sinkConfigProblems, unreadEnv } from './envcheck.js';
import {
  SCHEMA_NOTE,
  builtInObjects,
  committedSecretViolations,
  containerEnv,
  containersOf,
  k8sRuleViolations,
  kustomizeVersion,
  render,
  unknownFields,
  validateSchemas,
} from './k8s.js';
import { hostProblems, quantity, referenceProblems } from './k8s-refs.js';
import { TREES, brokenK8s, k8s } from './k8s-copies.js';
import { type Json, inRepo } from './repo.js';

const AIVEN_HOSTS = ['my-kafka-myproject.aivencloud.com'];

/** A copy of deploy/k8s with one file changed. */
const brokenTree = (file: string, edit: (text: string) => string) => brokenK8s({ [file]: edit });

/** Reference problems of the base rendered from a (broken) copy of deploy/k8s. */
const baseRefs = (dir: string) => referenceProblems(render(dir), [path.join(dir, 'base')]).join('\n');

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
  it(`deploy/k8s renders (${kustomizeVersion()})`, () => {
    assert.ok(render(k8s).length > 10);
  });

  for (const [title, sub, secretDirs] of TREES) {
    const dir = path.join(k8s, sub);
    it(`${title}: Kubernetes objects validate against the OpenAPI schema, with no unknown field`, async () => {
      // An overlay's objects that are the base's unchanged were checked with the base.
      const base = sub === '.' ? [] : render(k8s).map((o) => JSON.stringify(o));
      const objects = builtInObjects(render(dir)).filter((o) => !base.includes(JSON.stringify(o)));
      assert.deepEqual(await validateSchemas(objects), []);
      assert.deepEqual(unknownFields(objects), []);
    });

    it(`${title}: every env var a chippy container gets is one its program reads; no Secret is committed`, () => {
      const objects = render(dir);
      assert.deepEqual(envProblems(objects), []);
      assert.deepEqual(committedSecretViolations(objects), []);
    });

    it(`${title}: references resolve (selectors, Services, ConfigMaps/Secrets and keys, named ports, mounts, hosts); pods are secure, budgeted and fenced`, () => {
      const objects = render(dir);
      assert.deepEqual(
        referenceProblems(
          objects,
          secretDirs.map((d) => path.join(k8s, d)),
        ),
        [],
      );
      assert.deepEqual(hostProblems(objects, hostsIn, AIVEN_HOSTS), []);
    });
  }

  it('the base follows the deploy rules: replicas, probes, resources, labels, scrape annotations, stateful parts', () => {
    assert.deepEqual(k8sRuleViolations(render(k8s)), []);
  });

  it('the setup Jobs deploy sink configs that exist (karapace: classes installed in the Connect image)', () => {
    const job = (dir: string) => render(dir).find((o) => o.kind === 'Job') as Json;
    const [base] = containersOf(job(k8s));
    assert.deepEqual(sinkConfigProblems('Job/connect-setup', base?.command, true), []);
    const [aiven] = containersOf(job(path.join(k8s, 'overlays/aiven')));
    assert.match(String(aiven?.command), /--target aiven/);
    assert.deepEqual(sinkConfigProblems('aiven Job/connect-setup', aiven?.command, false), []);
  });

  it('the JDBC password reaches Connect from the Secret, and the sink config names it only through the config provider', () => {
    const connect = render(k8s).find(
      (o) => o.kind === 'Deployment' && (o.metadata as Json).name === 'connect',
    );
    const [container] = containersOf(connect as Json);
    const env = (container?.env as Json[]).find((e) => e.name === 'JDBC_PASSWORD');
    assert.deepEqual((env?.valueFrom as Json).secretKeyRef, {
      name: 'chippy-postgres',
      key: 'POSTGRES_PASSWORD',
    });
    const sink = JSON.parse(readFileSync(inRepo('connectors/sink/karapace-avro.json'), 'utf8')) as Json;
    assert.equal(sink['connection.password'], '${env:JDBC_PASSWORD}');
    assert.deepEqual(
      configProviderProblems(
        'Deployment/connect',
        sink as Record<string, string>,
        containerEnv(container as Json, []),
      ),
      [],
    );
    assert.match(
      readFileSync(inRepo('deploy/compose/connect/start-connect.sh'), 'utf8'),
      /EnvVarConfigProvider/,
    );
  });

  it('the Aiven overlay has no in-cluster Kafka, Karapace or Connect, and mounts the client certificates', () => {
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

  it('optional/keda: preparers scaled on lag, at most one per orders partition (6); the Deployment leaves replicas to KEDA', () => {
    const objects = render(path.join(k8s, 'optional/keda'));
    const scaled = objects.find((o) => o.kind === 'ScaledObject') as Json;
    const spec = scaled.spec as Json;
    assert.equal((spec.scaleTargetRef as Json).name, 'preparer');
    assert.equal(spec.maxReplicaCount, 6);
    const [trigger] = spec.triggers as Json[];
    assert.equal((trigger?.metadata as Json).consumerGroup, 'preparers');
    const preparer = objects.find((o) => o.kind === 'Deployment' && (o.metadata as Json).name === 'preparer');
    assert.equal((preparer?.spec as Json).replicas, undefined);
  });

  describe('each check fails on a broken copy', () => {
    it('a missing resource file: kustomize fails', () => {
      const dir = brokenTree('base/kustomization.yaml', (t) => `${t}\n`);
      rmSync(path.join(dir, 'base/cook.yaml'));
      assert.throws(() => render(dir), /kubectl kustomize .* failed/);
    });

    it('a wrongly typed field fails the OpenAPI schema', async () => {
      const dir = brokenTree('base/till.yaml', (t) => t.replace('replicas: 3', 'replicas: three'));
      assert.match(
        (await validateSchemas(render(dir))).join('\n'),
        /Deployment\/till: .*replicas must be integer/,
      );
    });

    it('a misspelt field is an unknown field', () => {
      const dir = brokenTree('base/preparer.yaml', (t) => t.replace('readinessProbe:', 'readinesProbe:'));
      assert.match(unknownFields(render(dir)).join('\n'), /Deployment\/preparer: .*readinesProbe/);
    });

    it('a kind that does not exist in Kubernetes 1.33 is reported', async () => {
      assert.match(
        (
          await validateSchemas([{ apiVersion: 'apps/v1', kind: 'Deploymint', metadata: { name: 'x' } }])
        ).join(''),
        /not a Kubernetes v1.33 or Prometheus Operator kind/,
      );
    });

    it('wrong replicas, a missing probe or annotation and an unread env var are reported', () => {
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
    });

    it('a committed Secret is reported (the old CHANGE-ME placeholder worked as a password)', () => {
      const dir = brokenTree('base/kustomization.yaml', (t) =>
        t.replace('  - namespace.yaml\n', '  - namespace.yaml\n  - secrets.example.yaml\n'),
      );
      assert.match(
        committedSecretViolations(render(dir)).join(''),
        /Secret\/chippy-postgres: a Secret in the manifests/,
      );
    });

    it('runAsNonRoot without a numeric user (the brokers as they were: CreateContainerConfigError)', () => {
      const dir = brokenTree('base/kafka.yaml', (t) =>
        t.replace('        runAsUser: 1000\n        runAsGroup: 1000\n', ''),
      );
      assert.match(
        baseRefs(dir),
        /StatefulSet\/kafka container kafka: runAsNonRoot without a numeric runAsUser, and image apache\/kafka:4.3.1 has no numeric USER/,
      );
    });

    it('a workload selector that misses its own pods, and a Service that selects none or a port they lack', () => {
      const selector = brokenTree('base/cook.yaml', (t) =>
        t.replace(
          '    matchLabels:\n      app.kubernetes.io/name: cook',
          '    matchLabels:\n      app.kubernetes.io/name: cooks',
        ),
      );
      assert.match(
        baseRefs(selector),
        /Deployment\/cook: selector does not match its own pod template's labels/,
      );
      const service = brokenTree('base/summary.yaml', (t) =>
        t.replace(
          '  selector:\n    app.kubernetes.io/name: summary',
          '  selector:\n    app.kubernetes.io/name: sumary',
        ),
      );
      assert.match(baseRefs(service), /Service\/summary: selects no pod/);
      const port = brokenTree('base/redis.yaml', (t) =>
        t.replace('      targetPort: redis', '      targetPort: resp'),
      );
      assert.match(baseRefs(port), /Service\/redis: targetPort resp is no container port/);
    });

    it('a Secret key, a ConfigMap or a Secret that does not exist', () => {
      const key = brokenTree('base/connect.yaml', (t) =>
        t.replace('key: POSTGRES_PASSWORD', 'key: POSTGRES_PASS'),
      );
      assert.match(
        baseRefs(key),
        /Deployment\/connect container connect env JDBC_PASSWORD: Secret chippy-postgres has no key POSTGRES_PASS/,
      );
      const map = brokenTree('base/till.yaml', (t) =>
        t.replace('name: chippy-common', 'name: chippy-commons'),
      );
      assert.match(
        baseRefs(map),
        /Deployment\/till container till envFrom: ConfigMap chippy-commons is not in the manifests/,
      );
      const secret = brokenTree('base/summary.yaml', (t) =>
        t.replace('name: chippy-postgres', 'name: chippy-pg'),
      );
      assert.match(
        baseRefs(secret),
        /Secret chippy-pg is not in the manifests and is not listed in a secrets.example.yaml/,
      );
    });

    it('a probe on a port the container does not name, a mount of a missing volume, an env var set twice', () => {
      const dir = brokenTree('base/cook.yaml', (t) =>
        t
          .replace(
            '          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: http',
            '          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: web',
          )
          .replace(
            '            - name: tmp\n              mountPath: /tmp',
            '            - name: temp\n              mountPath: /tmp',
          )
          .replace(
            "            - name: HTTP_PORT\n              value: '9103'\n",
            "            - name: HTTP_PORT\n              value: '9103'\n            - name: HTTP_PORT\n              value: '9104'\n",
          ),
      );
      const problems = baseRefs(dir);
      assert.match(problems, /Deployment\/cook container cook: livenessProbe uses port web/);
      assert.match(problems, /mounts volume temp, which the pod lacks/);
      assert.match(problems, /env HTTP_PORT is set twice/);
    });

    it('limits below requests, and a pod without the RuntimeDefault seccomp profile', () => {
      const dir = brokenTree('base/redis.yaml', (t) =>
        t
          .replace('              memory: 256Mi', '              memory: 32Mi')
          .replace('        seccompProfile:\n          type: RuntimeDefault\n', ''),
      );
      const problems = baseRefs(dir);
      assert.match(
        problems,
        /StatefulSet\/redis container redis: memory limit 32Mi is below the request 64Mi/,
      );
      assert.match(problems, /StatefulSet\/redis: pod securityContext has no seccompProfile RuntimeDefault/);
      assert.equal(quantity('250m'), 0.25);
      assert.equal(quantity('1Gi'), 1024 ** 3);
    });

    it('no disruption budget for a scaled service, and brokers without anti-affinity', () => {
      const budgets = brokenTree('base/kustomization.yaml', (t) =>
        t.replace('  - disruption-budgets.yaml\n', ''),
      );
      const problems = baseRefs(budgets);
      assert.match(problems, /Deployment\/till: 3 replicas and no PodDisruptionBudget/);
      assert.match(problems, /Deployment\/preparer: 2 replicas and no PodDisruptionBudget/);
      const affinity = brokenTree('base/kafka.yaml', (t) =>
        t.replace('topologyKey: kubernetes.io/hostname', 'topologyKey: topology.kubernetes.io/zone'),
      );
      assert.match(baseRefs(affinity), /StatefulSet\/kafka: no pod anti-affinity across nodes/);
    });

    it('no default-deny policy, and a policy whose selector matches no pod', () => {
      const dir = brokenTree('base/network-policies.yaml', (t) =>
        t
          .replace('  policyTypes: [Ingress, Egress]\n---', '  policyTypes: [Ingress]\n---')
          .replace('values: [preparer, cook, summary]', 'values: [preparers, cooks]'),
      );
      const problems = baseRefs(dir);
      assert.match(problems, /no default-deny NetworkPolicy/);
      assert.match(problems, /NetworkPolicy\/redis: a peer podSelector selects no pod/);
    });

    it('a host that is no Service, and a KEDA bootstrap server without its namespace', () => {
      // REDIS_URL comes from a Secret now (it carries Redis's password); the Job names Connect literally.
      const dir = brokenTree('base/connect-setup-job.yaml', (t) =>
        t.replace('http://connect:8083', 'http://connector:8083'),
      );
      assert.deepEqual(hostProblems(render(dir), hostsIn), [
        'Job/connect-setup container connect-setup: names host connector, which is no Service here',
      ]);
      const keda = brokenTree('optional/keda/preparer-scaledobject.yaml', (t) =>
        t.replace('kafka.chippy.svc:9092', 'kafka:9092'),
      );
      assert.match(
        hostProblems(render(path.join(keda, 'optional/keda')), hostsIn).join(''),
        /must name the broker with its namespace/,
      );
    });
  });
});
