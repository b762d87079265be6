import { topicDeclarations } from '@chippy/shop';
import { jvmToolEnvProblems } from './jvm-probes.js';
import { quantity, userSuppliedSecrets, workloads } from './k8s-refs.js';
import { type Json, isObject } from './repo.js';

/**
 * Checks of what an operator meets on a real cluster: the manifests are valid and their
 * references resolve, yet a probe cannot run, a network plugin drops DNS or the API server, a client
 * speaks a protocol the broker removed, the namespace admits any pod, or the disk fills.
 */

const nameOf = (o: Json) => `${String(o.kind)}/${String((o.metadata as Json | undefined)?.name)}`;
const list = <T = Json>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** A container's literal env values (valueFrom entries carry no text a check can read). */
const literalEnv = (c: Json): Record<string, string> =>
  Object.fromEntries(
    list(c.env)
      .filter((e) => typeof e.value === 'string')
      .map((e) => [String(e.name), String(e.value)]),
  );

/**
 * Exec probes and lifecycle hooks that start a Kafka tool or java under the container's own
 * KAFKA_OPTS/JAVA_TOOL_OPTIONS -javaagent (jvm-probes.ts): the tool fails to bind the agent's port.
 */
export function jvmProbeProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    for (const c of list(pod.containers)) {
      const env = literalEnv(c);
      const hooks: [string, unknown][] = [
        ['startupProbe', (c.startupProbe as Json | undefined)?.exec],
        ['livenessProbe', (c.livenessProbe as Json | undefined)?.exec],
        ['readinessProbe', (c.readinessProbe as Json | undefined)?.exec],
        ['postStart', ((c.lifecycle as Json | undefined)?.postStart as Json | undefined)?.exec],
        ['preStop', ((c.lifecycle as Json | undefined)?.preStop as Json | undefined)?.exec],
      ];
      for (const [where, exec] of hooks) {
        if (!isObject(exec)) continue;
        const command = list<string>(exec.command).join(' ');
        for (const p of jvmToolEnvProblems(command, env))
          problems.push(`${nameOf(object)} container ${String(c.name)}: ${where} ${p}`);
      }
    }
  }
  return problems;
}

/** NodeLocal DNSCache's link-local address (https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/). */
const NODE_LOCAL_DNS = '169.254.20.10';

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  if (!base || !/^\d+\.\d+\.\d+\.\d+$/.test(base)) return false;
  const size = Number(bits ?? 32);
  const mask = size === 0 ? 0 : 2 ** 32 - 2 ** (32 - size);
  const and = (n: number) => Number(BigInt(n) & BigInt(mask));
  return and(toInt(ip)) === and(toInt(base));
}

const portsOf = (rule: Json) => list(rule.ports);
const allowsPort = (rule: Json, port: number, protocol: string) =>
  portsOf(rule).length === 0 ||
  portsOf(rule).some(
    (p) => Number(p.port) === port && ((p.protocol as string | undefined) ?? 'TCP') === protocol,
  );

/**
 * With a default deny of egress, every pod must still resolve names: a rule for port 53 (UDP and TCP)
 * that reaches whatever the cluster's DNS is — no `to` at all, or an ipBlock holding NodeLocal
 * DNSCache's address. A rule that names only kube-system's kube-dns pods resolves nothing where the pod's
 * resolver is NodeLocal DNSCache (a link-local address, no pod) or OpenShift's DNS (namespace
 * openshift-dns, other labels).
 */
export function dnsEgressProblems(objects: Json[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const deniesEgress = policies.some((p) => {
    const spec = p.spec as Json;
    return list<string>(spec.policyTypes).includes('Egress') && spec.egress === undefined;
  });
  if (!deniesEgress) return [];
  const reachesAnyDns = (rule: Json) => {
    const to = list(rule.to);
    return (
      to.length === 0 ||
      to.some((peer) => isObject(peer.ipBlock) && ipv4InCidr(NODE_LOCAL_DNS, String(peer.ipBlock.cidr)))
    );
  };
  const forAllPods = policies.filter(
    (p) => Object.keys(((p.spec as Json).podSelector ?? {}) as Json).length === 0,
  );
  const ok = (protocol: string) =>
    forAllPods.some((p) =>
      list((p.spec as Json).egress).some((r) => allowsPort(r, 53, protocol) && reachesAnyDns(r)),
    );
  return ['UDP', 'TCP']
    .filter((protocol) => !ok(protocol))
    .map(
      (protocol) =>
        `DNS (${protocol} 53) egress reaches only selected pods: with NodeLocal DNSCache (${NODE_LOCAL_DNS}) or another cluster DNS every pod loses name resolution; allow port 53 to any destination`,
    );
}

/**
 * Egress to the Kubernetes API server (443/6443) allowed only by ipBlock: Cilium does not CIDR-match
 * node and API-server addresses (https://github.com/cilium/cilium/issues/35212), so the operators there
 * cannot reach it. A rule with ports and no `to` reaches it on every plugin.
 */
export function apiServerEgressProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const p of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    for (const rule of list((p.spec as Json).egress)) {
      const ports = portsOf(rule).map((x) => Number(x.port));
      const to = list(rule.to);
      if (
        (ports.includes(443) || ports.includes(6443)) &&
        to.length > 0 &&
        to.every((peer) => isObject(peer.ipBlock))
      )
        problems.push(
          `${nameOf(p)}: reaches the API server (port ${ports.includes(6443) ? 6443 : 443}) only through ipBlock, which Cilium does not match for the API server; allow the ports with no \`to\``,
        );
    }
  }
  return problems;
}

/** Kafka 4 removed the request versions of clients older than 2.1 (KIP-896). */
const OLDEST_KAFKA_4_CLIENT = [2, 1];
const versionTooOld = (version: string) => {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return (
    major < (OLDEST_KAFKA_4_CLIENT[0] as number) ||
    (major === OLDEST_KAFKA_4_CLIENT[0] && minor < (OLDEST_KAFKA_4_CLIENT[1] as number))
  );
};

/**
 * Sarama-based clients (kafka-exporter, KEDA's kafka scaler) speak the protocol of the Kafka version
 * they are told, and default to versions Kafka 4 no longer answers: each must name one of at least 2.1.
 */
export function kafkaProtocolProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    for (const c of list(pod.containers)) {
      if (!String(c.image).includes('kafka-exporter')) continue;
      const flag = list<string>(c.args).find((a) => a.startsWith('--kafka.version='));
      const version = flag?.split('=')[1];
      if (!version || versionTooOld(version))
        problems.push(
          `${nameOf(object)}: kafka-exporter without --kafka.version of at least 2.1 (its default speaks requests Kafka 4 removed)`,
        );
    }
  }
  for (const o of objects.filter((x) => x.kind === 'ScaledObject')) {
    for (const t of list((o.spec as Json).triggers)) {
      if (t.type !== 'kafka') continue;
      const version = String((((t.metadata ?? {}) as Json).version as string | undefined) ?? '');
      if (!version || versionTooOld(version))
        problems.push(
          `${nameOf(o)}: kafka trigger without a version of at least 2.1 (KEDA's default, 1.0.0, speaks requests Kafka 4 removed)`,
        );
    }
  }
  return problems;
}

/**
 * The namespace enforces a Pod Security Standard, and every pod of the manifests meets it: for
 * `restricted`, non-root, no privilege escalation, every capability dropped, the RuntimeDefault (or a
 * Localhost) seccomp profile, no host namespaces or hostPath volumes
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 */
export function podSecurityProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  let level: string | undefined;
  for (const ns of namespaces) {
    const labels = ((ns.metadata as Json).labels ?? {}) as Json;
    level = labels['pod-security.kubernetes.io/enforce'] as string | undefined;
    if (level !== 'restricted' && level !== 'baseline')
      problems.push(
        `${nameOf(ns)}: no pod-security.kubernetes.io/enforce label (baseline or restricted): the namespace admits privileged pods`,
      );
  }
  if (level !== 'restricted') return problems;
  for (const { object, pod } of workloads(objects)) {
    const podSc = (pod.securityContext ?? {}) as Json;
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC'])
      if (pod[key] === true) problems.push(`${nameOf(object)}: ${key} is not allowed under restricted`);
    for (const v of list(pod.volumes))
      if (v.hostPath) problems.push(`${nameOf(object)}: hostPath volume ${String(v.name)} under restricted`);
    for (const c of [...list(pod.initContainers), ...list(pod.containers)]) {
      const where = `${nameOf(object)} container ${String(c.name)}`;
      const sc = (c.securityContext ?? {}) as Json;
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true)
        problems.push(`${where}: runAsNonRoot is not true (restricted)`);
      if ((sc.runAsUser ?? podSc.runAsUser) === 0) problems.push(`${where}: runAsUser 0 (restricted)`);
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation is not false (restricted)`);
      if (sc.privileged === true) problems.push(`${where}: privileged (restricted)`);
      const caps = (sc.capabilities ?? {}) as Json;
      if (!list<string>(caps.drop).includes('ALL'))
        problems.push(`${where}: capabilities do not drop ALL (restricted)`);
      for (const add of list<string>(caps.add))
        if (add !== 'NET_BIND_SERVICE') problems.push(`${where}: adds capability ${add} (restricted)`);
      const seccomp = ((sc.seccompProfile ?? podSc.seccompProfile ?? {}) as Json).type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        problems.push(`${where}: no RuntimeDefault or Localhost seccomp profile (restricted)`);
    }
  }
  return problems;
}

/** Allowance for the compacted topics (offsets, Connect's state, schemas) and indexes on each broker. */
export const COMPACTED_ALLOWANCE = 1024 ** 3;
/** Kafka's default log.segment.bytes: 1 GiB. */
const DEFAULT_SEGMENT = 1024 ** 3;
/** The share of the volume the worst case may fill; the disk alert fires at 85 %. */
export const DISK_BUDGET = 0.8;

/**
 * Partitions with delete retention on every broker: the shop's topics (replication factor 3 on three
 * brokers puts a replica of each on every broker) plus the sink's dead-letter topic (1 partition).
 */
export const deletePartitionsPerBroker = () =>
  Object.values(topicDeclarations).reduce(
    (n, d) => n + (d.cleanupPolicy === 'delete' ? d.partitions : 0),
    0,
  ) + 1;

/**
 * The worst a broker's volume holds, when every partition is at its size cap: each partition keeps
 * log.retention.bytes plus the active segment (retention deletes whole segments only), and the
 * compacted topics take their allowance. Time-only retention has no bound at all.
 */
export function diskBudget(config: { retentionBytes?: number; segmentBytes?: number; volumeBytes: number }): {
  worst: number;
  problem?: string;
} {
  const partitions = deletePartitionsPerBroker();
  if (config.retentionBytes === undefined || config.retentionBytes < 0)
    return {
      worst: Infinity,
      problem: `time-only retention (no log.retention.bytes): ${partitions} partitions per broker grow with the rate until the ${config.volumeBytes / 1024 ** 3} GiB volume is full`,
    };
  const segment = config.segmentBytes ?? DEFAULT_SEGMENT;
  const worst = partitions * (config.retentionBytes + segment) + COMPACTED_ALLOWANCE;
  if (worst > DISK_BUDGET * config.volumeBytes)
    return {
      worst,
      problem: `${partitions} partitions × (retention ${config.retentionBytes / 1024 ** 2} MiB + segment ${segment / 1024 ** 2} MiB) + ${COMPACTED_ALLOWANCE / 1024 ** 3} GiB compacted = ${(worst / 1024 ** 3).toFixed(1)} GiB, more than ${DISK_BUDGET * 100} % of the ${config.volumeBytes / 1024 ** 3} GiB volume`,
    };
  return { worst };
}

/** The disk budget of the base's StatefulSet kafka and of a Strimzi Kafka with its node pools. */
export function diskProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    if (object.kind !== 'StatefulSet' || (object.metadata as Json).name !== 'kafka') continue;
    const env = literalEnv(list(pod.containers)[0] ?? {});
    const claim = list((object.spec as Json).volumeClaimTemplates)[0];
    const size = (
      (((claim?.spec as Json | undefined)?.resources as Json | undefined)?.requests ?? {}) as Json
    ).storage;
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const { problem } = diskBudget({
      retentionBytes: num(env.KAFKA_LOG_RETENTION_BYTES),
      segmentBytes: num(env.KAFKA_LOG_SEGMENT_BYTES),
      volumeBytes: quantity(size),
    });
    if (problem) problems.push(`${nameOf(object)}: ${problem}`);
  }
  for (const kafka of objects.filter((o) => o.kind === 'Kafka')) {
    const config = (((kafka.spec as Json).kafka as Json).config ?? {}) as Json;
    const cluster = String((kafka.metadata as Json).name);
    for (const pool of objects.filter(
      (o) =>
        o.kind === 'KafkaNodePool' &&
        (((o.metadata as Json).labels ?? {}) as Json)['strimzi.io/cluster'] === cluster,
    )) {
      const storage = ((pool.spec as Json).storage ?? {}) as Json;
      const num = (v: unknown) => (v === undefined ? undefined : Number(v));
      const { problem } = diskBudget({
        retentionBytes: num(config['log.retention.bytes']),
        segmentBytes: num(config['log.segment.bytes']),
        volumeBytes: quantity(storage.size),
      });
      if (problem) problems.push(`${nameOf(kafka)} ${nameOf(pool)}: ${problem}`);
    }
  }
  return problems;
}

/** Strimzi's own variables that its Connect configuration reads through strimzienv. */
export const STRIMZI_ENV_VARS = ['KAFKA_CONNECT_SASL_USERNAME', 'CERTS_STORE_PASSWORD'];

/**
 * Strimzi configures a config provider `strimzienv` with allowlist `.*` in every KafkaConnect
 * (KafkaConnectConfigurationBuilder): any connector could read any variable of the worker, the JDBC
 * password and Strimzi's certificate store password among them. spec.config, written after it, narrows
 * it to the names Strimzi itself uses.
 */
export function strimziConfigProviderProblems(objects: Json[]): string[] {
  return objects
    .filter((o) => o.kind === 'KafkaConnect')
    .flatMap((o) => {
      const pattern = (((o.spec as Json).config ?? {}) as Json)[
        'config.providers.strimzienv.param.allowlist.pattern'
      ];
      if (typeof pattern !== 'string')
        return [
          `${nameOf(o)}: Strimzi's strimzienv config provider keeps its allowlist .* (any connector reads any env var): set config.providers.strimzienv.param.allowlist.pattern`,
        ];
      const re = new RegExp(pattern);
      return ['JDBC_PASSWORD', 'SOME_OTHER_VARIABLE'].some((v) => re.test(v))
        ? [`${nameOf(o)}: strimzienv's allowlist ${pattern} admits more than Strimzi's own variables`]
        : STRIMZI_ENV_VARS.filter((v) => !re.test(v)).map(
            (v) => `${nameOf(o)}: strimzienv's allowlist ${pattern} leaves out ${v}, which Strimzi reads`,
          );
    });
}

/**
 * Secrets a Strimzi resource names (the Connect build's pushSecret, authentication passwordSecret,
 * trusted certificates, env in its templates) exist: rendered, made by the operator (a KafkaUser's, a
 * Kafka's cluster CA), or listed in a secrets.example.yaml for the user to create.
 */
export function strimziSecretProblems(objects: Json[], secretDirs: string[]): string[] {
  const listed = userSuppliedSecrets(secretDirs);
  const known = new Set([
    ...objects.filter((o) => o.kind === 'Secret').map((o) => String((o.metadata as Json).name)),
    ...objects.filter((o) => o.kind === 'KafkaUser').map((o) => String((o.metadata as Json).name)),
    ...objects
      .filter((o) => o.kind === 'Kafka')
      .map((o) => `${String((o.metadata as Json).name)}-cluster-ca-cert`),
    ...listed.keys(),
  ]);
  const problems: string[] = [];
  const visit = (o: Json, value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(o, v, `${path}[${i}]`));
    if (!isObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const name =
        key === 'pushSecret' && typeof inner === 'string'
          ? inner
          : (key === 'passwordSecret' || key === 'secretKeyRef') && isObject(inner)
            ? ((inner.secretName ?? inner.name) as string | undefined)
            : undefined;
      if (key === 'trustedCertificates' && Array.isArray(inner))
        for (const cert of inner as unknown[])
          if (isObject(cert) && typeof cert.secretName === 'string' && !known.has(cert.secretName))
            problems.push(
              `${nameOf(o)} ${path}.${key}: Secret ${cert.secretName} is not in the manifests, not Strimzi's, and not listed in a secrets.example.yaml`,
            );
      if (name && !known.has(name))
        problems.push(
          `${nameOf(o)} ${path}.${key}: Secret ${name} is not in the manifests, not a KafkaUser's, and not listed in a secrets.example.yaml`,
        );
      visit(o, inner, `${path}.${key}`);
    }
  };
  for (const o of objects.filter((x) => String(x.apiVersion).startsWith('kafka.strimzi.io/')))
    visit(o, o.spec, 'spec');
  return problems;
}

/**
 * Redis asks for a password, and its clients bring one: the network policies limit who reaches it, the
 * password keeps any other pod (or a policy loosened later) from reading or emptying the cabinet.
 */
export function redisAuthProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    for (const c of list(pod.containers)) {
      const where = `${nameOf(object)} container ${String(c.name)}`;
      const command = [...list<string>(c.command), ...list<string>(c.args)].join(' ');
      if (String(c.image).startsWith('redis:') && !command.includes('requirepass'))
        problems.push(`${where}: Redis runs without a password (requirepass)`);
      const url = literalEnv(c).REDIS_URL;
      if (url !== undefined && !/^rediss?:\/\/[^@/]*:[^@/]+@/.test(url))
        problems.push(`${where}: REDIS_URL ${url} carries no password`);
    }
  }
  return problems;
}

/**
 * Every listener of a Strimzi Kafka encrypts: SCRAM on a plain listener hashes the password exchange
 * but leaves records, and every client's session, readable to anyone on the pod network. And every
 * client of the cluster (chippy-common's KAFKA_SERVICE_URI, Karapace, KafkaConnect) uses a TLS listener.
 */
export function strimziListenerProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const kafka of objects.filter((o) => o.kind === 'Kafka')) {
    const listeners = list(((kafka.spec as Json).kafka as Json).listeners);
    for (const l of listeners)
      if (l.tls !== true)
        problems.push(`${nameOf(kafka)}: listener ${String(l.name)} (${String(l.port)}) is not TLS`);
    const tlsPorts = new Set(listeners.filter((l) => l.tls === true).map((l) => String(l.port)));
    const bootstrap = `${String((kafka.metadata as Json).name)}-kafka-bootstrap:`;
    const clients: [string, string][] = [];
    for (const o of objects) {
      if (o.kind === 'ConfigMap')
        for (const v of Object.values((o.data ?? {}) as Json)) clients.push([nameOf(o), String(v)]);
      if (o.kind === 'KafkaConnect') clients.push([nameOf(o), String((o.spec as Json).bootstrapServers)]);
      for (const { object, pod } of workloads([o]))
        for (const c of list(pod.containers))
          for (const [, v] of Object.entries(literalEnv(c))) clients.push([nameOf(object), v]);
    }
    for (const [where, value] of clients)
      for (const m of value.matchAll(new RegExp(`${bootstrap}(\\d+)`, 'g')))
        if (!tlsPorts.has(m[1] as string))
          problems.push(`${where}: reaches ${bootstrap}${m[1]}, not a TLS listener`);
  }
  return problems;
}

/**
 * Without an authorizer every authenticated user may do anything, to every topic and group of the
 * cluster; with one, a user with no ACLs may do nothing, and the shop stops. So: an authorizer on each
 * Kafka, and ACLs on each of its KafkaUsers.
 */
export function strimziAuthorizationProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const kafka of objects.filter((o) => o.kind === 'Kafka')) {
    const authorization = ((kafka.spec as Json).kafka as Json).authorization as Json | undefined;
    if (!authorization?.type) problems.push(`${nameOf(kafka)}: no authorizer (spec.kafka.authorization)`);
    const cluster = String((kafka.metadata as Json).name);
    for (const user of objects.filter(
      (o) =>
        o.kind === 'KafkaUser' &&
        ((o.metadata as Json).labels as Json | undefined)?.['strimzi.io/cluster'] === cluster,
    )) {
      const acls = list(((user.spec as Json).authorization as Json | undefined)?.acls);
      if (acls.length === 0)
        problems.push(`${nameOf(user)}: no ACLs, so it may do nothing under the authorizer`);
    }
  }
  return problems;
}

/**
 * The brokers are Ready only when back in sync: a probe on a port (or an HTTP path) is Ready as soon as
 * the broker listens, while it still copies what it missed, and a roll (or a drain the budget allows)
 * then takes the next broker: partitions drop below min.insync.replicas and acks=all writes fail.
 */
export function brokerReadinessProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    if (object.kind !== 'StatefulSet' || (object.metadata as Json).name !== 'kafka') continue;
    const c = list(pod.containers).find((x) => x.name === 'kafka') ?? {};
    const probe = (c.readinessProbe ?? {}) as Json;
    const command = list<string>((probe.exec as Json | undefined)?.command).join(' ');
    if (!/under-replicated-partitions|Isr/.test(command))
      problems.push(
        `${nameOf(object)}: readiness does not reflect being back in sync (${
          Object.keys(probe)
            .filter((k) => ['exec', 'tcpSocket', 'httpGet', 'grpc'].includes(k))
            .join(', ') || 'no probe'
        }): a roll can take the next broker while this one catches up`,
      );
  }
  return problems;
}

/** Every check of this file that applies to any rendered tree. */
export function operationProblems(objects: Json[], secretDirs: string[]): string[] {
  return [
    ...jvmProbeProblems(objects),
    ...brokerReadinessProblems(objects),
    ...dnsEgressProblems(objects),
    ...apiServerEgressProblems(objects),
    ...kafkaProtocolProblems(objects),
    ...redisAuthProblems(objects),
    ...podSecurityProblems(objects),
    ...diskProblems(objects),
    ...strimziConfigProviderProblems(objects),
    ...strimziListenerProblems(objects),
    ...strimziAuthorizationProblems(objects),
    ...strimziSecretProblems(objects, secretDirs),
  ];
}
