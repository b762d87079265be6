import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Json, inRepo, isObject, readYamlAll } from './repo.js';

/**
 * Reference checks on rendered Kubernetes objects: the mistakes the schema cannot see because every
 * field is well-typed, yet the cluster would refuse the pod, route to nothing or never start it.
 */

const nameOf = (o: Json) => `${String(o.kind)}/${String((o.metadata as Json | undefined)?.name)}`;
const labelsOf = (meta: unknown): Json => ((meta as Json | undefined)?.labels ?? {}) as Json;

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet']);

interface Workload {
  object: Json;
  labels: Json;
  pod: Json;
}

export function workloads(objects: Json[]): Workload[] {
  return objects
    .filter((o) => WORKLOADS.has(String(o.kind)))
    .map((o) => {
      const template = ((o.spec as Json | undefined)?.template ?? {}) as Json;
      return { object: o, labels: labelsOf(template.metadata), pod: (template.spec ?? {}) as Json };
    });
}

const podContainers = (pod: Json): Json[] => [
  ...((pod.initContainers as Json[] | undefined) ?? []),
  ...((pod.containers as Json[] | undefined) ?? []),
];

/** A label selector (matchLabels and matchExpressions) applied to a set of labels. */
export function selects(selector: unknown, labels: Json): boolean {
  if (!isObject(selector)) return false;
  const match = (selector.matchLabels ?? {}) as Json;
  if (!Object.entries(match).every(([k, v]) => labels[k] === v)) return false;
  for (const e of (selector.matchExpressions as Json[] | undefined) ?? []) {
    const value = labels[String(e.key)];
    const values = (e.values as string[] | undefined) ?? [];
    const ok =
      e.operator === 'In'
        ? values.includes(String(value))
        : e.operator === 'NotIn'
          ? !values.includes(String(value))
          : e.operator === 'Exists'
            ? value !== undefined
            : value === undefined;
    if (!ok) return false;
  }
  return true;
}

/** A Service's plain selector map. */
const selectsPlain = (selector: Json, labels: Json) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Workload selectors match their own pod template; every Service selects a pod, on a port it has. */
export function selectorProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  for (const { object, labels } of all) {
    const selector = (object.spec as Json).selector;
    if (object.kind === 'Job' && selector === undefined) continue;
    if (!selects(selector, labels))
      problems.push(`${nameOf(object)}: selector does not match its own pod template's labels`);
  }
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = svc.spec as Json;
    if (!isObject(spec.selector)) continue;
    const targets = all.filter((w) => selectsPlain(spec.selector as Json, w.labels));
    if (targets.length === 0) {
      problems.push(`${nameOf(svc)}: selects no pod (${JSON.stringify(spec.selector)})`);
      continue;
    }
    for (const port of (spec.ports as Json[] | undefined) ?? []) {
      const target = port.targetPort;
      if (typeof target !== 'string') continue;
      const has = targets.some((w) =>
        podContainers(w.pod).some((c) =>
          ((c.ports as Json[] | undefined) ?? []).some((p) => p.name === target),
        ),
      );
      if (!has)
        problems.push(`${nameOf(svc)}: targetPort ${target} is no container port of the pods it selects`);
    }
  }
  return problems;
}

/** Secrets the user creates: `secrets.example.yaml` in the rendered directory or its bases. */
export function userSuppliedSecrets(dirs: string[]): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const dir of dirs) {
    const file = path.join(dir, 'secrets.example.yaml');
    if (!existsSync(file)) continue;
    for (const o of readYamlAll(readFileSync(file, 'utf8')).filter((x) => x.kind === 'Secret')) {
      const keys = Object.keys({ ...((o.stringData ?? {}) as Json), ...((o.data ?? {}) as Json) });
      secrets.set(String((o.metadata as Json).name), new Set(keys));
    }
  }
  return secrets;
}

/**
 * Every ConfigMap and Secret a pod refers to (env, envFrom, volumes) exists in the rendered objects with
 * the key used, or is a user-supplied Secret listed with that key in a secrets.example.yaml.
 */
export function configRefProblems(objects: Json[], userSecrets: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  const keysOf = (kind: string, name: string): Set<string> | undefined => {
    const o = objects.find((x) => x.kind === kind && (x.metadata as Json).name === name);
    if (o) return new Set(Object.keys({ ...((o.data ?? {}) as Json), ...((o.stringData ?? {}) as Json) }));
    if (kind !== 'Secret') return undefined;
    // Strimzi's User Operator makes a Secret named after each SCRAM KafkaUser.
    const user = objects.find((x) => x.kind === 'KafkaUser' && (x.metadata as Json).name === name);
    if (user) return new Set(['password', 'sasl.jaas.config']);
    // And, for each Kafka, the Secret <cluster>-cluster-ca-cert with the cluster CA its clients trust.
    const cluster = objects.find(
      (x) => x.kind === 'Kafka' && `${String((x.metadata as Json).name)}-cluster-ca-cert` === name,
    );
    if (cluster) return new Set(['ca.crt', 'ca.p12', 'ca.password']);
    return userSecrets.get(name);
  };
  const check = (where: string, kind: string, name: unknown, key: unknown, optional: unknown) => {
    if (optional === true) return;
    const keys = keysOf(kind, String(name));
    if (!keys) {
      const hint = kind === 'Secret' ? ' and is not listed in a secrets.example.yaml' : '';
      problems.push(`${where}: ${kind} ${String(name)} is not in the manifests${hint}`);
    } else if (typeof key === 'string' && !keys.has(key))
      problems.push(`${where}: ${kind} ${String(name)} has no key ${key}`);
  };
  for (const { object, pod } of workloads(objects)) {
    for (const c of podContainers(pod)) {
      const where = `${nameOf(object)} container ${String(c.name)}`;
      for (const e of (c.env as Json[] | undefined) ?? []) {
        const from = (e.valueFrom ?? {}) as Json;
        for (const [field, kind] of [
          ['configMapKeyRef', 'ConfigMap'],
          ['secretKeyRef', 'Secret'],
        ] as const) {
          const ref = from[field] as Json | undefined;
          if (ref) check(`${where} env ${String(e.name)}`, kind, ref.name, ref.key, ref.optional);
        }
      }
      for (const from of (c.envFrom as Json[] | undefined) ?? []) {
        if (from.configMapRef) {
          const ref = from.configMapRef as Json;
          check(`${where} envFrom`, 'ConfigMap', ref.name, undefined, ref.optional);
        }
        if (from.secretRef) {
          const ref = from.secretRef as Json;
          check(`${where} envFrom`, 'Secret', ref.name, undefined, ref.optional);
        }
      }
    }
    for (const v of (pod.volumes as Json[] | undefined) ?? []) {
      const where = `${nameOf(object)} volume ${String(v.name)}`;
      if (isObject(v.secret)) check(where, 'Secret', v.secret.secretName, undefined, v.secret.optional);
      if (isObject(v.configMap)) check(where, 'ConfigMap', v.configMap.name, undefined, v.configMap.optional);
    }
  }
  return problems;
}

/** Named ports used by probes exist on the container; volume mounts name a volume of the pod. */
export function portAndVolumeProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    const volumes = new Set(((pod.volumes as Json[] | undefined) ?? []).map((v) => String(v.name)));
    for (const t of ((object.spec as Json).volumeClaimTemplates as Json[] | undefined) ?? [])
      volumes.add(String((t.metadata as Json).name));
    for (const c of podContainers(pod)) {
      const where = `${nameOf(object)} container ${String(c.name)}`;
      const ports = new Set(((c.ports as Json[] | undefined) ?? []).map((p) => p.name).filter(Boolean));
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const spec = c[probe] as Json | undefined;
        const port = ((spec?.httpGet ?? spec?.tcpSocket ?? spec?.grpc) as Json | undefined)?.port;
        if (typeof port === 'string' && !ports.has(port))
          problems.push(`${where}: ${probe} uses port ${port}, which the container does not name`);
      }
      for (const m of (c.volumeMounts as Json[] | undefined) ?? [])
        if (!volumes.has(String(m.name)))
          problems.push(`${where}: mounts volume ${String(m.name)}, which the pod lacks`);
      const names = ((c.env as Json[] | undefined) ?? []).map((e) => String(e.name));
      for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
        problems.push(`${where}: env ${dup} is set twice`);
    }
  }
  return problems;
}

/** A Kubernetes quantity in base units (cores or bytes). */
export function quantity(value: unknown): number {
  const text = String(value);
  const m = /^([0-9.]+)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(text);
  if (!m) throw new Error(`not a quantity: ${text}`);
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    Ki: 1024,
    M: 1e6,
    Mi: 1024 ** 2,
    G: 1e9,
    Gi: 1024 ** 3,
    T: 1e12,
    Ti: 1024 ** 4,
  };
  return Number(m[1]) * (m[2] ? (factor[m[2]] as number) : 1);
}

/** The numeric USER of the Dockerfile that builds a chippy image, if it has one. */
export function dockerfileUser(image: string): string | undefined {
  const file = { chippy: 'deploy/compose/Dockerfile', 'chippy-connect': 'deploy/compose/connect/Dockerfile' }[
    image.split(':')[0] as string
  ];
  if (!file) return undefined;
  const users = readFileSync(inRepo(file), 'utf8')
    .split('\n')
    .flatMap((l) => /^USER\s+(\S+)/i.exec(l)?.[1] ?? []);
  return users.pop();
}

/**
 * Pod security: runAsNonRoot comes with a numeric runAsUser (the kubelet cannot verify a named user:
 * CreateContainerConfigError) unless the image's own Dockerfile sets a numeric USER; every pod has the
 * RuntimeDefault seccomp profile; limits are at least the requests.
 */
export function securityProblems(objects: Json[], userOf = dockerfileUser): string[] {
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    const podSc = (pod.securityContext ?? {}) as Json;
    if ((podSc.seccompProfile as Json | undefined)?.type !== 'RuntimeDefault')
      problems.push(`${nameOf(object)}: pod securityContext has no seccompProfile RuntimeDefault`);
    for (const c of podContainers(pod)) {
      const where = `${nameOf(object)} container ${String(c.name)}`;
      const sc = (c.securityContext ?? {}) as Json;
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      const uid = sc.runAsUser ?? podSc.runAsUser;
      if (nonRoot === true && typeof uid !== 'number') {
        const user = userOf(String(c.image));
        if (!user || !/^\d+(:\d+)?$/.test(user))
          problems.push(
            `${where}: runAsNonRoot without a numeric runAsUser, and image ${String(c.image)} has no numeric USER (the kubelet refuses to start it)`,
          );
      }
      const resources = (c.resources ?? {}) as Json;
      const requests = (resources.requests ?? {}) as Record<string, string>;
      const limits = (resources.limits ?? {}) as Record<string, string>;
      for (const [name, limit] of Object.entries(limits)) {
        const request = requests[name];
        if (request !== undefined && quantity(limit) < quantity(request))
          problems.push(`${where}: ${name} limit ${limit} is below the request ${request}`);
      }
    }
  }
  return problems;
}

/**
 * Availability: every workload of more than one replica has a PodDisruptionBudget, every budget selects
 * a pod, and the Kafka brokers prefer different nodes.
 */
export function availabilityProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const pdb of budgets) {
    const selector = (pdb.spec as Json).selector;
    if (!all.some((w) => selects(selector, w.labels))) problems.push(`${nameOf(pdb)}: selects no pod`);
  }
  for (const { object, labels } of all) {
    const replicas = (object.spec as Json).replicas;
    if (
      typeof replicas === 'number' &&
      replicas > 1 &&
      !budgets.some((b) => selects((b.spec as Json).selector, labels))
    )
      problems.push(`${nameOf(object)}: ${replicas} replicas and no PodDisruptionBudget`);
  }
  const kafka = all.find(
    (w) => w.object.kind === 'StatefulSet' && (w.object.metadata as Json).name === 'kafka',
  );
  if (kafka) {
    const anti = ((kafka.pod.affinity as Json | undefined)?.podAntiAffinity ?? {}) as Json;
    const terms = [
      ...((anti.preferredDuringSchedulingIgnoredDuringExecution as Json[] | undefined) ?? []).map(
        (t) => t.podAffinityTerm as Json,
      ),
      ...((anti.requiredDuringSchedulingIgnoredDuringExecution as Json[] | undefined) ?? []),
    ];
    if (
      !terms.some((t) => t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector, kafka.labels))
    )
      problems.push('StatefulSet/kafka: no pod anti-affinity across nodes (kubernetes.io/hostname)');
  }
  return problems;
}

/**
 * Network policies: a default deny of both directions exists, and every pod selector of a policy (the
 * pods it protects, and the same-namespace peers it admits) selects at least one pod.
 */
export function networkPolicyProblems(objects: Json[]): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const denyAll = policies.some((p) => {
    const spec = p.spec as Json;
    const types = (spec.policyTypes as string[] | undefined) ?? [];
    return (
      Object.keys(spec.podSelector ?? {}).length === 0 &&
      types.includes('Ingress') &&
      types.includes('Egress') &&
      spec.ingress === undefined &&
      spec.egress === undefined
    );
  });
  if (!denyAll)
    problems.push('no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)');
  // Pods the Strimzi operator makes are not in the manifests: a selector on strimzi.io labels only
  // cannot be checked here.
  const operatorManaged = (selector: Json) => {
    const keys = [
      ...Object.keys(selector.matchLabels ?? {}),
      ...((selector.matchExpressions as Json[] | undefined) ?? []).map((e) => String(e.key)),
    ];
    return keys.length > 0 && keys.every((k) => k.startsWith('strimzi.io/'));
  };
  const matchesSome = (selector: Json) =>
    Object.keys(selector).length === 0 ||
    operatorManaged(selector) ||
    all.some((w) => selects(selector, w.labels));
  for (const p of policies) {
    const spec = p.spec as Json;
    if (!matchesSome((spec.podSelector ?? {}) as Json))
      problems.push(`${nameOf(p)}: podSelector selects no pod`);
    for (const rule of [
      ...((spec.ingress as Json[] | undefined) ?? []),
      ...((spec.egress as Json[] | undefined) ?? []),
    ]) {
      for (const peer of [
        ...((rule.from as Json[] | undefined) ?? []),
        ...((rule.to as Json[] | undefined) ?? []),
      ]) {
        if (peer.namespaceSelector !== undefined || !isObject(peer.podSelector)) continue;
        if (!matchesSome(peer.podSelector)) problems.push(`${nameOf(p)}: a peer podSelector selects no pod`);
      }
    }
  }
  return problems;
}

/** Every reference check, for one rendered directory and the directories its Secrets may be listed in. */
export function referenceProblems(objects: Json[], secretDirs: string[]): string[] {
  return [
    ...selectorProblems(objects),
    ...configRefProblems(objects, userSuppliedSecrets(secretDirs)),
    ...portAndVolumeProblems(objects),
    ...securityProblems(objects),
    ...availabilityProblems(objects),
    ...networkPolicyProblems(objects),
  ];
}

/** Services the Strimzi operator creates for its resources (bootstrap, brokers, Connect's REST API). */
export function operatorServices(objects: Json[]): string[] {
  return objects.flatMap((o) => {
    const name = String((o.metadata as Json | undefined)?.name);
    if (o.kind === 'Kafka') return [`${name}-kafka-bootstrap`, `${name}-kafka-brokers`];
    if (o.kind === 'KafkaConnect') return [`${name}-connect-api`];
    return [];
  });
}

/**
 * Every host a container's settings name (env values, command, args, and the ConfigMaps it reads) is a
 * Service of the manifests (or one the operator creates), by its short name or as name.<namespace>.svc.
 * `external` lists hosts that are meant to be outside the cluster (the Aiven service).
 */
export function hostProblems(
  objects: Json[],
  hostsIn: (text: string) => string[],
  external: string[] = [],
): string[] {
  const services = new Set([
    ...objects.filter((o) => o.kind === 'Service').map((o) => String((o.metadata as Json).name)),
    ...operatorServices(objects),
  ]);
  const namespaces = new Set(
    objects.filter((o) => o.kind === 'Namespace').map((o) => String((o.metadata as Json).name)),
  );
  const known = (host: string) => {
    if (external.includes(host)) return true;
    const [name, namespace, svc] = host.split('.');
    return (
      services.has(name as string) &&
      (namespace === undefined || (namespaces.has(namespace) && svc === 'svc'))
    );
  };
  const problems: string[] = [];
  for (const { object, pod } of workloads(objects)) {
    for (const c of podContainers(pod)) {
      const texts = [
        ...((c.env as Json[] | undefined) ?? []).map((e) => (typeof e.value === 'string' ? e.value : '')),
        ...((c.command as string[] | undefined) ?? []),
        ...((c.args as string[] | undefined) ?? []),
      ];
      // What the container gets from a ConfigMap, less what its own env overrides.
      const own = new Set(((c.env as Json[] | undefined) ?? []).map((e) => String(e.name)));
      for (const from of (c.envFrom as Json[] | undefined) ?? []) {
        const ref = from.configMapRef as Json | undefined;
        const map = objects.find((o) => o.kind === 'ConfigMap' && (o.metadata as Json).name === ref?.name);
        for (const [key, value] of Object.entries((map?.data ?? {}) as Json))
          if (!own.has(key)) texts.push(String(value));
      }
      for (const host of hostsIn(texts.join('\n')))
        if (!known(host))
          problems.push(
            `${nameOf(object)} container ${String(c.name)}: names host ${host}, which is no Service here`,
          );
    }
  }
  for (const o of objects.filter((x) => x.apiVersion === 'keda.sh/v1alpha1' && x.kind === 'ScaledObject')) {
    for (const t of ((o.spec as Json).triggers as Json[] | undefined) ?? []) {
      const servers = String(((t.metadata ?? {}) as Record<string, string>).bootstrapServers ?? '');
      for (const host of hostsIn(servers.replace(/^/, ' ')))
        if (!host.includes('.') || !known(host))
          problems.push(
            `${nameOf(o)}: bootstrapServers ${servers} must name the broker with its namespace (KEDA resolves it in its own)`,
          );
    }
  }
  return problems;
}
