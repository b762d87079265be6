import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { agentPort, jvmToolEnvProblems } from './jvm-probes.js';
import { render } from './k8s.js';
import {
  apiServerEgressProblems,
  brokerReadinessProblems,
  deletePartitionsPerBroker,
  diskBudget,
  diskProblems,
  dnsEgressProblems,
  jvmProbeProblems,
  kafkaProtocolProblems,
  operationProblems,
  podSecurityProblems,
  redisAuthProblems,
  strimziConfigProviderProblems,
  strimziAuthorizationProblems,
  strimziListenerProblems,
  strimziSecretProblems,
} from './k8s-ops.js';
import { TREES, brokenK8s, k8s } from './k8s-copies.js';

describe('Kubernetes on a real cluster: probes, DNS, API server, protocol versions, Pod Security, disk, Strimzi', () => {
  for (const [title, sub, secretDirs] of TREES)
    it(`${title}: no probe under a bound -javaagent, DNS and API server reachable on any plugin, clients Kafka 4 answers, restricted pods, a bounded disk`, () => {
      const objects = render(path.join(k8s, sub));
      assert.deepEqual(
        operationProblems(
          objects,
          secretDirs.map((d) => path.join(k8s, d)),
        ),
        [],
      );
    });

  it('the brokers are Ready only when back in sync, through a probe that clears KAFKA_OPTS and brings its own heap', () => {
    const kafka = render(k8s).find((o) => o.kind === 'StatefulSet') as {
      spec: { template: { spec: { containers: { readinessProbe: { exec: { command: string[] } } }[] } } };
    };
    const probe = kafka.spec.template.spec.containers[0]?.readinessProbe.exec.command.join(' ') ?? '';
    assert.match(
      probe,
      /env -u KAFKA_OPTS KAFKA_HEAP_OPTS=-Xmx96m .*kafka-topics\.sh .*--under-replicated-partitions/,
    );
  });

  describe('each check fails on a broken copy', () => {
    it("an exec probe running a Kafka tool under the broker's KAFKA_OPTS (the agent on 9404) and heap", () => {
      const dir = brokenK8s({
        'base/kafka.yaml': (t) =>
          t.replace('env -u KAFKA_OPTS KAFKA_HEAP_OPTS=-Xmx96m\n                  ', ''),
      });
      const problems = jvmProbeProblems(render(dir)).join('\n');
      assert.match(
        problems,
        /StatefulSet\/kafka container kafka: readinessProbe runs kafka-topics\.sh with KAFKA_OPTS carrying a -javaagent bound to port 9404/,
      );
      assert.match(
        problems,
        /readinessProbe runs kafka-topics\.sh with the container's KAFKA_HEAP_OPTS \(-Xmx512m\)/,
      );
    });

    it('broker readiness on the port (Ready before the broker is back in sync)', () => {
      const dir = brokenK8s({
        'base/kafka.yaml': (t) =>
          t.replace(
            / {10}readinessProbe:\n {12}exec:[\s\S]*?failureThreshold: 2\n/,
            '          readinessProbe:\n            tcpSocket:\n              port: broker\n            periodSeconds: 10\n',
          ),
      });
      assert.match(
        brokerReadinessProblems(render(dir)).join('\n'),
        /StatefulSet\/kafka: readiness does not reflect being back in sync \(tcpSocket\)/,
      );
    });

    it('jvm-probes: what clears a variable, which JVM a command starts, the agent port', () => {
      const env = { KAFKA_OPTS: '-javaagent:/opt/j/jmx_prometheus_javaagent.jar=9404:/opt/j/r.yml' };
      assert.equal(agentPort(env.KAFKA_OPTS), 9404);
      assert.equal(agentPort('-javaagent:/a.jar=0.0.0.0:7071:/c.yml'), 7071);
      assert.equal(jvmToolEnvProblems('kafka-topics.sh --list', env).length, 1);
      assert.deepEqual(jvmToolEnvProblems('KAFKA_OPTS= kafka-topics.sh --list', env), []);
      assert.deepEqual(jvmToolEnvProblems('unset KAFKA_OPTS; /opt/kafka/bin/kafka-topics.sh', env), []);
      assert.deepEqual(jvmToolEnvProblems('env -u KAFKA_OPTS kafka-consumer-groups.sh', env), []);
      assert.deepEqual(jvmToolEnvProblems('redis-cli ping', env), []);
      assert.equal(jvmToolEnvProblems('java -version', { JAVA_TOOL_OPTIONS: env.KAFKA_OPTS }).length, 1);
      assert.deepEqual(jvmToolEnvProblems('java -version', env), [], 'java itself does not read KAFKA_OPTS');
    });

    it("DNS allowed only to kube-system's kube-dns pods (NodeLocal DNSCache, OpenShift: no names)", () => {
      const dir = brokenK8s({
        'base/network-policies.yaml': (t) =>
          t.replace(
            '    - ports:\n        - protocol: UDP\n          port: 53',
            '    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n        - protocol: UDP\n          port: 53',
          ),
      });
      assert.match(
        dnsEgressProblems(render(dir)).join('\n'),
        /DNS \(UDP 53\) egress reaches only selected pods/,
      );
    });

    it('the API server reached through ipBlock 0.0.0.0/0 (Cilium does not match it)', () => {
      const dir = brokenK8s({
        'overlays/strimzi/network-policies.yaml': (t) =>
          t.replace(
            '  egress:\n    - ports:\n        - protocol: TCP\n          port: 443',
            '  egress:\n    - to:\n        - ipBlock:\n            cidr: 0.0.0.0/0\n      ports:\n        - protocol: TCP\n          port: 443',
          ),
      });
      assert.match(
        apiServerEgressProblems(render(path.join(dir, 'overlays/strimzi'))).join('\n'),
        /NetworkPolicy\/strimzi-operators-to-api-server: reaches the API server \(port 6443\) only through ipBlock/,
      );
    });

    it("KEDA's kafka trigger and kafka-exporter without a protocol version Kafka 4 answers", () => {
      const dir = brokenK8s({
        'optional/keda/preparer-scaledobject.yaml': (t) => t.replace('        version: 3.6.0\n', ''),
        'base/kafka-exporter.yaml': (t) => t.replace('--kafka.version=3.6.0', '--kafka.version=2.0.0'),
      });
      const problems = kafkaProtocolProblems(render(path.join(dir, 'optional/keda'))).join('\n');
      assert.match(problems, /ScaledObject\/preparer: kafka trigger without a version of at least 2\.1/);
      assert.match(
        problems,
        /Deployment\/kafka-exporter: kafka-exporter without --kafka.version of at least 2\.1/,
      );
    });

    it('Redis without a password, and a client that brings none', () => {
      const dir = brokenK8s({
        'base/redis.yaml': (t) => t.replace('              requirepass $REDIS_PASSWORD\n', ''),
        'base/cook.yaml': (t) =>
          t.replace(
            '            - name: REDIS_URL\n              valueFrom:\n                secretKeyRef:\n                  name: chippy-redis\n                  key: REDIS_URL',
            '            - name: REDIS_URL\n              value: redis://redis:6379',
          ),
      });
      const problems = redisAuthProblems(render(dir)).join('\n');
      assert.match(problems, /StatefulSet\/redis container redis: Redis runs without a password/);
      assert.match(
        problems,
        /Deployment\/cook container cook: REDIS_URL redis:\/\/redis:6379 carries no password/,
      );
    });

    it('a namespace without a Pod Security label, and a pod that restricted refuses', () => {
      const label = brokenK8s({
        'base/namespace.yaml': (t) => t.replace('    pod-security.kubernetes.io/enforce: restricted\n', ''),
      });
      assert.match(
        podSecurityProblems(render(label)).join('\n'),
        /Namespace\/chippy: no pod-security.kubernetes.io\/enforce label/,
      );
      const pod = brokenK8s({
        'base/kafka.yaml': (t) =>
          t
            .replace(
              "          command: [sh, -c, 'cp /opt/jmx-exporter/* /jmx/']\n",
              "          command: [sh, -c, 'cp /opt/jmx-exporter/* /jmx/']\n          securityContext: {}\n",
            )
            .replace(
              '          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [ALL]\n          volumeMounts:\n            - name: jmx-exporter\n              mountPath: /jmx\n',
              '          volumeMounts:\n            - name: jmx-exporter\n              mountPath: /jmx\n',
            ),
      });
      const problems = podSecurityProblems(render(pod)).join('\n');
      assert.match(
        problems,
        /StatefulSet\/kafka container jmx-exporter: allowPrivilegeEscalation is not false \(restricted\)/,
      );
      assert.match(
        problems,
        /StatefulSet\/kafka container jmx-exporter: capabilities do not drop ALL \(restricted\)/,
      );
    });

    it('time-only retention, and a size cap the volume cannot hold (base and Strimzi)', () => {
      const timeOnly = brokenK8s({
        'base/kafka.yaml': (t) =>
          t.replace("            - name: KAFKA_LOG_RETENTION_BYTES\n              value: '268435456'\n", ''),
      });
      assert.match(
        diskProblems(render(timeOnly)).join('\n'),
        /StatefulSet\/kafka: time-only retention \(no log.retention.bytes\)/,
      );
      const small = brokenK8s({
        'base/kafka.yaml': (t) => t.replace('storage: 10Gi', 'storage: 5Gi'),
        'overlays/strimzi/kafka.yaml': (t) => t.replace('size: 10Gi', 'size: 5Gi'),
      });
      assert.match(
        diskProblems(render(small)).join('\n'),
        /StatefulSet\/kafka: 22 partitions × \(retention 256 MiB \+ segment 64 MiB\) \+ 1 GiB compacted = 7\.9 GiB, more than 80 % of the 5 GiB volume/,
      );
      assert.match(
        diskProblems(render(path.join(small, 'overlays/strimzi'))).join('\n'),
        /Kafka\/chippy KafkaNodePool\/dual: 22 partitions/,
      );
      // The arithmetic itself: 22 partitions of (256 + 64) MiB and 1 GiB compacted on a 10 GiB volume.
      assert.equal(deletePartitionsPerBroker(), 22);
      const { worst } = diskBudget({
        retentionBytes: 256 * 1024 ** 2,
        segmentBytes: 64 * 1024 ** 2,
        volumeBytes: 10 * 1024 ** 3,
      });
      assert.equal(worst, 22 * 320 * 1024 ** 2 + 1024 ** 3);
    });

    it("Strimzi's strimzienv config provider left at allowlist .*, or narrowed past what Strimzi reads", () => {
      const open = brokenK8s({
        'overlays/strimzi/connect.yaml': (t) =>
          t.replace(
            '    config.providers.strimzienv.param.allowlist.pattern: ^(KAFKA_CONNECT_SASL_USERNAME|CERTS_STORE_PASSWORD)$\n',
            '',
          ),
      });
      assert.match(
        strimziConfigProviderProblems(render(path.join(open, 'overlays/strimzi'))).join('\n'),
        /KafkaConnect\/chippy-connect: Strimzi's strimzienv config provider keeps its allowlist \.\*/,
      );
      const narrow = brokenK8s({
        'overlays/strimzi/connect.yaml': (t) =>
          t.replace('^(KAFKA_CONNECT_SASL_USERNAME|CERTS_STORE_PASSWORD)$', '^CERTS_STORE_PASSWORD$'),
      });
      assert.match(
        strimziConfigProviderProblems(render(path.join(narrow, 'overlays/strimzi'))).join('\n'),
        /leaves out KAFKA_CONNECT_SASL_USERNAME/,
      );
    });

    it('a Strimzi listener without TLS, and clients still on the plain port', () => {
      const dir = brokenK8s({
        'overlays/strimzi/kafka.yaml': (t) =>
          t.replace(
            '      - name: tls\n        port: 9093\n        type: internal\n        tls: true',
            '      - name: plain\n        port: 9092\n        type: internal\n        tls: false',
          ),
      });
      const problems = strimziListenerProblems(render(path.join(dir, 'overlays/strimzi'))).join('\n');
      assert.match(problems, /Kafka\/chippy: listener plain \(9092\) is not TLS/);
      assert.match(
        problems,
        /KafkaConnect\/chippy-connect: reaches chippy-kafka-bootstrap:9093, not a TLS listener/,
      );
      assert.match(problems, /Deployment\/karapace: reaches chippy-kafka-bootstrap:9093, not a TLS listener/);
    });

    it('a Strimzi cluster without an authorizer, and a user without ACLs', () => {
      const dir = brokenK8s({
        'overlays/strimzi/kafka.yaml': (t) => t.replace('    authorization:\n      type: simple\n', ''),
        'overlays/strimzi/users.yaml': (t) => t.replace(/ {2}authorization:\n(?: {4}.*\n| {6}.*\n)+$/, ''),
      });
      const problems = strimziAuthorizationProblems(render(path.join(dir, 'overlays/strimzi'))).join('\n');
      assert.match(problems, /Kafka\/chippy: no authorizer/);
      assert.match(problems, /KafkaUser\/chippy-connect: no ACLs/);
    });

    it("the Connect build's push Secret with no example to create it from", () => {
      const dir = brokenK8s({ 'overlays/strimzi/kustomization.yaml': (t) => `${t}\n` });
      rmSync(path.join(dir, 'overlays/strimzi/secrets.example.yaml'));
      assert.match(
        strimziSecretProblems(render(path.join(dir, 'overlays/strimzi')), [
          path.join(dir, 'base'),
          path.join(dir, 'overlays/strimzi'),
        ]).join('\n'),
        /KafkaConnect\/chippy-connect spec.build.output.pushSecret: Secret chippy-registry is not in the manifests/,
      );
    });

    it('the image Strimzi builds Connect into follows `images`, like the base images', () => {
      const dir = brokenK8s({
        'overlays/strimzi/kustomization.yaml': (t) =>
          t.replace(
            '    newName: chippy-connect-strimzi\n',
            '    newName: registry.internal/shop/chippy-connect-strimzi\n',
          ),
      });
      const connect = render(path.join(dir, 'overlays/strimzi')).find((o) => o.kind === 'KafkaConnect') as {
        spec: { build: { output: { image: string } } };
      };
      assert.equal(
        connect.spec.build.output.image,
        'registry.internal/shop/chippy-connect-strimzi:1.2.0-kafka-4.3.1',
      );
    });
  });
});
