import { readFileSync } from 'node:fs';
import { type Json, inRepo, isObject } from './repo.js';

/** deploy/versions.json: the one list of versions the three stacks share. */
export interface Pinned {
  kafka: string;
  debeziumJdbc: string;
  apicurio: string;
  confluentAvroConverter: string;
  jmxPrometheusJavaagent: string;
  strimzi: string;
  images: Record<string, string>;
}

export const readPinned = (file = inRepo('deploy/versions.json')) =>
  JSON.parse(readFileSync(file, 'utf8')) as Pinned;

/** Images chippy builds itself (their versions are the repository's). */
const LOCAL_IMAGES = new Set(['chippy', 'chippy-connect']);

const repoOf = (image: string) => image.replace(/@sha256:.*$/, '').replace(/:[^/:]+$/, '');

/** Each image reference is the one deploy/versions.json pins for that repository. */
export function imageProblems(refs: { where: string; image: string }[], pinned: Pinned): string[] {
  const byRepo = new Map(Object.values(pinned.images).map((image) => [repoOf(image), image]));
  const problems: string[] = [];
  for (const { where, image } of refs) {
    const repo = repoOf(image);
    if (LOCAL_IMAGES.has(repo)) continue;
    const expected = byRepo.get(repo);
    if (!expected) problems.push(`${where}: image ${image} is not in deploy/versions.json`);
    else if (expected !== image)
      problems.push(`${where}: image ${image}, but deploy/versions.json pins ${expected}`);
  }
  return problems;
}

/** The pins agree with each other: image tags carry the artifact versions. */
export function pinConsistencyProblems(pinned: Pinned): string[] {
  const problems: string[] = [];
  const tag = (key: string) => /:([^/:]+)$/.exec(pinned.images[key] ?? '')?.[1];
  if (tag('kafka') !== pinned.kafka)
    problems.push(`images.kafka ${String(pinned.images.kafka)} is not Kafka ${pinned.kafka}`);
  if (tag('apicurio') !== pinned.apicurio)
    problems.push(`images.apicurio ${String(pinned.images.apicurio)} is not Apicurio ${pinned.apicurio}`);
  return problems;
}

/** The last day of support of each Node.js LTS line (nodejs.org's release schedule). */
export const NODE_LTS_END: Record<number, string> = {
  18: '2025-04-30',
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
};

/** A node image is pinned to an exact version of an LTS line still in support on `today`. */
export function nodeImageProblems(image: string, today: Date): string[] {
  const m = /^node:(\d+)\.(\d+)\.(\d+)-/.exec(image);
  if (!m) return [`${image} is not pinned to an exact node version (node:X.Y.Z-<variant>)`];
  const major = Number(m[1]);
  const end = NODE_LTS_END[major];
  if (!end) return [`${image}: Node ${major} is not an LTS line`];
  if (today > new Date(`${end}T23:59:59Z`)) return [`${image}: Node ${major} reached end of life on ${end}`];
  return [];
}

/** What the root package.json and package-lock.json say about the Node chippy runs on natively. */
export interface NativeNode {
  /** package.json devDependencies.node: the pin (docs/decisions/node-runtime.md). */
  pinned: string | undefined;
  /** package.json engines.node. */
  engines: string | undefined;
  /** package-lock.json's node_modules/node version. */
  locked: string | undefined;
}

export function readNativeNode(read: (file: string) => string): NativeNode {
  const pkg = JSON.parse(read('package.json')) as Json;
  const lock = JSON.parse(read('package-lock.json')) as Json;
  const field = (o: unknown, key: string) => (isObject(o) ? o[key] : undefined) as string | undefined;
  return {
    pinned: field(pkg.devDependencies, 'node'),
    engines: field(pkg.engines, 'node'),
    locked: field(field(lock.packages, 'node_modules/node'), 'version'),
  };
}

/**
 * The images run the Node that `npm start`, `npm test`, the bench and CI run: the node image's version is
 * package.json's pinned `node` devDependency, which `engines` and the lockfile state as well.
 */
export function nativeNodeProblems(pinned: Pinned, native: NativeNode): string[] {
  if (!native.pinned) return ['package.json: no devDependencies.node, the Node chippy runs on natively'];
  const problems: string[] = [];
  const image = pinned.images.node ?? '';
  const imageVersion = /^node:(\d+\.\d+\.\d+)-/.exec(image)?.[1];
  if (imageVersion !== native.pinned)
    problems.push(
      `deploy/versions.json: images.node ${image} is not Node ${native.pinned}, the one package.json pins (devDependencies.node)`,
    );
  if (native.engines !== native.pinned)
    problems.push(
      `package.json: engines.node ${String(native.engines)} is not the pinned Node ${native.pinned}`,
    );
  if (native.locked !== native.pinned)
    problems.push(`package-lock.json: node ${String(native.locked)} is not the pinned Node ${native.pinned}`);
  return problems;
}

/** Strings in a file that contain `needle` with the version after it, e.g. `debezium-connector-jdbc:` → 3.6.0.Final. */
export function versionsAfter(text: string, needle: string): string[] {
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...text.matchAll(new RegExp(`${escaped}([0-9]+(?:\\.[0-9A-Za-z]+)*)`, 'g'))].map(
    (m) => m[1] as string,
  );
}

/**
 * Artifact versions written into build files: each occurrence must be the pinned one.
 * `files` maps a repository path to [what, needle, pinned version] triples.
 */
export function artifactProblems(read: (file: string) => string, pinned: Pinned): string[] {
  const expectations: [string, string, string, string][] = [
    ['deploy/compose/connect/Dockerfile', 'Debezium JDBC', 'debezium-connector-jdbc:', pinned.debeziumJdbc],
    [
      'deploy/compose/connect/Dockerfile',
      'Debezium JDBC tarball',
      'debezium-connector-jdbc-',
      pinned.debeziumJdbc,
    ],
    [
      'deploy/compose/connect/Dockerfile',
      'JMX exporter',
      'jmx_prometheus_javaagent:',
      pinned.jmxPrometheusJavaagent,
    ],
    [
      'deploy/compose/connect/avro-converter.pom.xml',
      'Confluent Avro converter',
      '<version>',
      pinned.confluentAvroConverter,
    ],
    ['deploy/compose/connect/apicurio-converter.pom.xml', 'Apicurio converter', '<version>', pinned.apicurio],
    ['connectors/converter/pom.xml', 'Apicurio converter', '<apicurio.version>', pinned.apicurio],
    ['connectors/converter/pom.xml', 'Kafka Connect API', '<kafka.version>', pinned.kafka],
    ['deploy/checks/strimzi/pom.xml', 'Strimzi', '<strimzi.version>', pinned.strimzi],
    [
      'deploy/k8s/overlays/strimzi/connect.yaml',
      'Debezium JDBC',
      'debezium-connector-jdbc/',
      pinned.debeziumJdbc,
    ],
    [
      'deploy/k8s/overlays/strimzi/connect.yaml',
      'Debezium JDBC tarball',
      'debezium-connector-jdbc-',
      pinned.debeziumJdbc,
    ],
  ];
  const problems: string[] = [];
  for (const [file, what, needle, version] of expectations) {
    const found = versionsAfter(read(file), needle).filter((v) => v !== '1');
    if (found.length === 0) problems.push(`${file}: no ${what} version found after ${needle}`);
    for (const v of found)
      if (v !== version) problems.push(`${file}: ${what} ${v}, but deploy/versions.json pins ${version}`);
  }
  return problems;
}

/** Kafka versions named by Strimzi resources (Kafka, KafkaConnect spec.version). */
export function strimziKafkaVersionProblems(objects: Json[], pinned: Pinned): string[] {
  return objects
    .filter((o) => o.kind === 'Kafka' || o.kind === 'KafkaConnect')
    .flatMap((o) => {
      const spec = (o.spec ?? {}) as Json;
      const version = o.kind === 'Kafka' && isObject(spec.kafka) ? spec.kafka.version : spec.version;
      return version === pinned.kafka
        ? []
        : [
            `${String(o.kind)}/${String((o.metadata as Json).name)}: Kafka ${String(version)}, but deploy/versions.json pins ${pinned.kafka}`,
          ];
    });
}

/** FROM images of a Dockerfile (stage names excluded). */
export function dockerfileImages(text: string): string[] {
  const lines = text.split('\n');
  const stages = new Set(lines.flatMap((l) => /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(l)?.[1] ?? []));
  return lines.flatMap((l) => /^FROM\s+(\S+)/i.exec(l)?.[1] ?? []).filter((image) => !stages.has(image));
}

/** Image-like string literals (name:tag, the tag with a digit) in TypeScript source (the harness). */
export function imageLiterals(source: string): string[] {
  return [
    ...source.matchAll(/['"`]([a-z][a-z0-9._-]*(?:\/[a-z0-9._-]+)*:[A-Za-z0-9._-]*\d[A-Za-z0-9._-]*)['"`]/g),
  ]
    .map((m) => m[1] as string)
    .filter((ref) => !ref.startsWith('localhost:'));
}
