import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { jvmToolEnvProblems } from './jvm-probes.js';
import { type Json, isObject } from './repo.js';

const require = createRequire(import.meta.url);

/** The Compose Specification's JSON schema, as vendored (pinned) by the dclint package. */
export function composeSchemaFile(): string {
  return path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
}

export function validateComposeSchema(doc: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema declares draft-07 by an https URI that Ajv does not register; draft-07 is Ajv's default.
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(composeSchemaFile(), 'utf8')) as Record<
    string,
    unknown
  >;
  const validate = ajv.compile(schema);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** Services meant to run with --scale. */
export const SCALED = ['till', 'preparer', 'cook'];

const oneShot = (service: Json) => service.restart === 'no';

/** The deploy's own rules: one message per violation. */
export function composeRuleViolations(doc: Json): string[] {
  const problems: string[] = [];
  // Debian's docker-compose 1.29 refuses the whole file over a top-level name (.env names the project).
  if (doc.name !== undefined) problems.push('a top-level name: docker-compose 1.29 refuses the file');
  const services = isObject(doc.services) ? doc.services : {};
  for (const name of SCALED) if (!(name in services)) problems.push(`${name}: missing`);
  for (const [name, value] of Object.entries(services)) {
    if (!isObject(value)) continue;
    const scaled = SCALED.includes(name);
    if (scaled && value.ports !== undefined) problems.push(`${name}: a scaled service publishes ports`);
    if (scaled && value.container_name !== undefined)
      problems.push(`${name}: a scaled service sets container_name`);
    const check = value.healthcheck;
    if (!oneShot(value)) {
      if (!isObject(check) || check.disable === true || check.test === undefined)
        problems.push(`${name}: no healthcheck`);
    } else if (!isObject(check) || check.disable !== true) {
      // Otherwise the image's HEALTHCHECK (for the services) marks a job that serves nothing unhealthy.
      problems.push(`${name}: a one-shot job that does not disable the image's healthcheck`);
    }
    const probe = isObject(check) ? textOf(check.test) : '';
    if (/\/connector-plugins\b/.test(probe))
      problems.push(
        `${name}: probes Kafka Connect's /connector-plugins, which answers after the worker has died; probe /health`,
      );
    if (value.depends_on !== undefined) {
      if (!isObject(value.depends_on)) {
        problems.push(`${name}: depends_on must name a condition for each dependency`);
      } else {
        for (const [target, spec] of Object.entries(value.depends_on)) {
          const condition = isObject(spec) ? spec.condition : undefined;
          const targetService = services[target];
          if (!isObject(targetService)) problems.push(`${name}: depends on unknown service ${target}`);
          else if (condition === 'service_completed_successfully') {
            if (!oneShot(targetService))
              problems.push(`${name}: waits for ${target} to complete, but ${target} is not a one-shot job`);
          } else if (condition !== 'service_healthy') {
            problems.push(
              `${name}: depends_on ${target} with condition ${String(condition)}, not service_healthy`,
            );
          }
        }
      }
    }
    if (typeof value.image === 'string' && value.build === undefined && value.pull_policy !== 'never') {
      const tag = /:([^/@]+)$/.exec(value.image)?.[1];
      if (!tag || tag === 'latest' || !/\d/.test(tag))
        problems.push(`${name}: image ${value.image} is not pinned`);
    }
  }
  return problems;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '::1']);

/** Host names in a setting's text: URL hosts and bare host:port pairs (IP addresses are left alone). */
export function hostsIn(text: string): string[] {
  const hosts = new Set<string>();
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s'"]*@)?([A-Za-z0-9.-]+):\d+/g))
    hosts.add(m[1] as string);
  for (const m of text.matchAll(/(?:^|[\s,=@'"[])([a-z][a-z0-9-]*):\d{2,5}\b/g)) hosts.add(m[1] as string);
  return [...hosts].filter((h) => !LOCAL_HOSTS.has(h) && !/^\d+(\.\d+){3}$/.test(h));
}

const textOf = (value: unknown): string =>
  Array.isArray(value)
    ? value.map(String).join(' ')
    : typeof value === 'string' || typeof value === 'number'
      ? String(value)
      : '';

/**
 * References inside the Compose file: every host a setting names is a service; every image run with
 * pull_policy never is built by exactly one service that it waits for; no two services build one tag;
 * healthcheck scripts exist (and are copied into the image that runs them); bind-mount sources exist.
 */
export function composeReferenceProblems(doc: Json, composeDir: string, repoRoot: string): string[] {
  const problems: string[] = [];
  const services = (isObject(doc.services) ? doc.services : {}) as Record<string, Json>;
  const names = new Set(Object.keys(services));
  const builders = new Map<string, string[]>();
  for (const [name, s] of Object.entries(services))
    if (s.build !== undefined && typeof s.image === 'string')
      builders.set(s.image, [...(builders.get(s.image) ?? []), name]);
  for (const [image, by] of builders)
    if (by.length > 1)
      problems.push(`image ${image} is built by ${by.join(', ')}: build it in one service only`);
  const dependsOn = (name: string, seen = new Set<string>()): Set<string> => {
    const deps = services[name]?.depends_on;
    for (const d of isObject(deps) ? Object.keys(deps) : Array.isArray(deps) ? deps.map(String) : [])
      if (!seen.has(d)) {
        seen.add(d);
        dependsOn(d, seen);
      }
    return seen;
  };
  for (const [name, s] of Object.entries(services)) {
    const settings = [
      ...Object.values(isObject(s.environment) ? s.environment : {}).map(textOf),
      textOf(s.command),
      textOf(s.entrypoint),
      textOf(isObject(s.healthcheck) ? s.healthcheck.test : undefined),
    ].join('\n');
    for (const host of hostsIn(settings))
      if (!names.has(host)) problems.push(`${name}: names host ${host}, which is not a service`);
    if (s.pull_policy === 'never') {
      const by = builders.get(String(s.image)) ?? [];
      if (by.length === 0)
        problems.push(`${name}: runs ${String(s.image)} with pull_policy never, but no service builds it`);
      else if (!by.some((b) => dependsOn(name).has(b)))
        problems.push(`${name}: runs ${String(s.image)}, built by ${by.join(', ')}, without depending on it`);
    }
    const test =
      isObject(s.healthcheck) && Array.isArray(s.healthcheck.test) ? s.healthcheck.test.map(String) : [];
    for (const arg of test.filter((a) => /^[\w.-]+(\/[\w.-]+)+\.(m?js|sh|py)$/.test(a))) {
      if (!existsSync(path.join(repoRoot, arg))) {
        problems.push(`${name}: healthcheck runs ${arg}, which does not exist`);
        continue;
      }
      const dockerfile = builtBy(services, String(s.image));
      if (dockerfile && !readFileSync(path.join(repoRoot, dockerfile), 'utf8').includes(`COPY ${arg}`))
        problems.push(`${name}: healthcheck runs ${arg}, which ${dockerfile} does not copy into the image`);
    }
    for (const volume of Array.isArray(s.volumes) ? s.volumes : []) {
      const source =
        typeof volume === 'string' ? volume.split(':')[0] : isObject(volume) ? volume.source : undefined;
      if (typeof source === 'string' && /^[./]/.test(source) && !existsSync(path.resolve(composeDir, source)))
        problems.push(`${name}: bind-mounts ${source}, which does not exist`);
    }
  }
  return problems;
}

/** The Dockerfile (repository path) of the service that builds `image`. */
function builtBy(services: Record<string, Json>, image: string): string | undefined {
  const builder = Object.values(services).find((s) => s.image === image && isObject(s.build));
  const build = builder?.build as Json | undefined;
  return typeof build?.dockerfile === 'string' ? build.dockerfile : undefined;
}

/**
 * dclint's own rules (the Compose linter the schema comes from), the ones about correctness and
 * exposure: build and image together only with a pull_policy, unique container names and host ports,
 * published ports bound to an interface, no obsolete version field.
 */
interface Linter {
  lintFiles(
    paths: string[],
    recursive: boolean,
  ): { messages: { rule: string; message: string; line: number }[] }[];
}

export function dclintProblems(file: string): string[] {
  // dclint's published types name modules it does not ship, so its one class is typed here.
  const { DCLinter } = require('dclint') as { DCLinter: new (config: unknown) => Linter };
  const linter = new DCLinter({
    rules: {
      'no-build-and-image': 2,
      'no-duplicate-container-names': 2,
      'no-duplicate-exported-ports': 2,
      'no-unbound-port-interfaces': 2,
      'no-version-field': 2,
      // Off: Debian's docker-compose 1.29 refuses a top-level `name`; .env names the project instead.
      'require-project-name-field': 0,
      'service-container-name-regex': 2,
      // Style, or (explicit tag) covered more strictly by the versions check: off.
      'no-quotes-in-volumes': 0,
      'require-quotes-in-ports': 0,
      'service-dependencies-alphabetical-order': 0,
      'service-image-require-explicit-tag': 0,
      'service-keys-order': 0,
      'service-ports-alphabetical-order': 0,
      'services-alphabetical-order': 0,
      'top-level-properties-order': 0,
    },
    quiet: true,
    debug: false,
    exclude: [],
  });
  return linter
    .lintFiles([file], false)
    .flatMap((r) => r.messages.map((m) => `line ${m.line}: ${m.message} (${m.rule})`));
}

/** jvmToolEnvProblems (jvm-probes.ts) for every Compose service's health check. */
export function composeJvmProbeProblems(doc: Json): string[] {
  const services = (isObject(doc.services) ? doc.services : {}) as Record<string, Json>;
  return Object.entries(services).flatMap(([name, s]) => {
    const list: unknown[] = Array.isArray(s.environment) ? (s.environment as unknown[]) : [];
    const map = isObject(s.environment) ? s.environment : {};
    const env = Object.fromEntries<string>([
      ...list.map((e): [string, string] => {
        const [k = '', v = ''] = String(e).split(/=(.*)/s);
        return [k, v];
      }),
      ...Object.entries(map).map(([k, v]): [string, string] => [k, textOf(v)]),
    ]);
    const probe = textOf(isObject(s.healthcheck) ? s.healthcheck.test : undefined);
    return jvmToolEnvProblems(probe, env).map((problem) => `${name} healthcheck: ${problem}`);
  });
}

/**
 * The ignore file a build reads: BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile, the
 * classic builder (Debian's docker-compose 1.29, podman's Docker API) only `.dockerignore` at the context's
 * root — which must then leave out at least what the Dockerfile's own one does, or every build sends the
 * native stack's jars and data and every node_modules (gigabytes) as its context.
 */
export function dockerignoreProblems(doc: Json, contextRoot: string): string[] {
  const services = (isObject(doc.services) ? doc.services : {}) as Record<string, Json>;
  const rootIgnore = path.join(contextRoot, '.dockerignore');
  const patterns = (file: string) =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
      : [];
  const root = new Set(patterns(rootIgnore));
  const problems: string[] = [];
  for (const [name, s] of Object.entries(services)) {
    const build = s.build;
    if (!isObject(build) || typeof build.dockerfile !== 'string') continue;
    const own = patterns(path.join(contextRoot, `${build.dockerfile}.dockerignore`));
    // An ignore file that keeps one folder only ("*", then "!folder") is narrower than any list.
    if (own[0] === '*') continue;
    const missing = own.filter((p) => !root.has(p));
    if (missing.length > 0)
      problems.push(
        `${name}: .dockerignore does not leave out ${missing.join(', ')} as ${build.dockerfile}.dockerignore does`,
      );
  }
  return problems;
}

/**
 * An override file merged onto a Compose file as Compose does it for the keys chippy's files use: mappings
 * merge key by key, anything else (a command, a list of ports) is the override's.
 */
export function mergeCompose(base: Json, override: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const under = merged[key];
    merged[key] = isObject(under) && isObject(value) ? mergeCompose(under, value) : value;
  }
  return merged;
}

const envOf = (service: Json): Record<string, string> =>
  Object.fromEntries(
    Object.entries(isObject(service.environment) ? service.environment : {}).map(([k, v]) => [k, String(v)]),
  );

/**
 * A cluster's promises, in a merged Compose file with several brokers: every broker is a voter of the
 * KRaft quorum under its own node id, every Kafka client is given every broker (one alone would be a
 * single point of failure at start-up), topics are created with as many replicas as there are brokers,
 * and min.insync.replicas leaves one broker free to be lost.
 */
export function clusterProblems(doc: Json): string[] {
  const problems: string[] = [];
  const services = (isObject(doc.services) ? doc.services : {}) as Record<string, Json>;
  const brokers = Object.entries(services).filter(([, s]) => envOf(s).KAFKA_PROCESS_ROLES !== undefined);
  const names = brokers.map(([name]) => name);
  const ids = new Set<string>();
  for (const [name, s] of brokers) {
    const env = envOf(s);
    const id = env.KAFKA_NODE_ID ?? '';
    if (ids.has(id)) problems.push(`${name}: node id ${id} is another broker's too`);
    ids.add(id);
    const voters = (env.KAFKA_CONTROLLER_QUORUM_VOTERS ?? '').split(',').map((v) => v.split(':')[0]);
    if (!voters.includes(`${id}@${name}`))
      problems.push(`${name}: not a voter of its own quorum as ${id}@${name}`);
    if (voters.length !== brokers.length)
      problems.push(`${name}: ${voters.length} voters for ${brokers.length} brokers`);
    const rf = Number(env.KAFKA_DEFAULT_REPLICATION_FACTOR ?? 1);
    const minIsr = Number(env.KAFKA_MIN_INSYNC_REPLICAS ?? 1);
    if (rf !== brokers.length)
      problems.push(`${name}: default replication factor ${rf} on ${brokers.length} brokers`);
    if (brokers.length > 1 && (minIsr < 2 || minIsr >= rf))
      problems.push(
        `${name}: min.insync.replicas ${minIsr} must be at least 2 and leave one of ${rf} replicas free`,
      );
  }
  for (const [name, s] of Object.entries(services)) {
    const env = envOf(s);
    for (const key of ['KAFKA_SERVICE_URI', 'CONNECT_BOOTSTRAP_SERVERS']) {
      if (env[key] === undefined) continue;
      const given = env[key].split(',').map((b) => b.split(':')[0]);
      const left = names.filter((b) => !given.includes(b));
      if (left.length > 0) problems.push(`${name}: ${key} leaves out ${left.join(', ')}`);
    }
    for (const key of ['TOPIC_REPLICATION_FACTOR', 'CONNECT_REPLICATION_FACTOR'])
      if (env[key] !== undefined && Number(env[key]) !== brokers.length)
        problems.push(`${name}: ${key} ${env[key]} on ${brokers.length} brokers`);
  }
  return problems;
}
