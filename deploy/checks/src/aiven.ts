import { type Json, isObject } from './repo.js';

/**
 * docs/aiven.md checked offline: every `avn` command and flag is one of Aiven's CLI reference, and the
 * configs the walkthrough makes (the secret provider, the Secrets, the connector) are what Aiven's
 * Connect and the overlay expect.
 */

const SERVICE_CLI = 'https://aiven.io/docs/tools/cli/service-cli';

/** The `avn` commands the walkthrough uses, with every flag Aiven's CLI reference lists for each. */
export const AVN_REFERENCE: Record<string, { url: string; flags: string[] }> = {
  'user login': { url: 'https://aiven.io/docs/tools/cli/user', flags: ['--token', '--tenant'] },
  'project switch': { url: 'https://aiven.io/docs/tools/cli/project', flags: [] },
  'service plans': { url: SERVICE_CLI, flags: ['--service-type', '--cloud', '--monthly'] },
  'service create': {
    url: SERVICE_CLI,
    flags: [
      '--service-type',
      '--plan',
      '--cloud',
      '--disk-space-gib',
      '--no-fail-if-exists',
      '--project-vpc-id',
      '--no-project-vpc',
      '--enable-termination-protection',
      '-c',
    ],
  },
  'service wait': { url: SERVICE_CLI, flags: [] },
  'service get': { url: SERVICE_CLI, flags: ['--format', '--json'] },
  'service update': {
    url: SERVICE_CLI,
    flags: [
      '--cloud',
      '-c',
      '--disk-space-gib',
      '--plan',
      '--power-on',
      '--power-off',
      '--maintenance-dow',
      '--maintenance-time',
      '--enable-termination-protection',
      '--disable-termination-protection',
      '--project-vpc-id',
      '--no-project-vpc',
      '--force',
    ],
  },
  'service terminate': { url: SERVICE_CLI, flags: ['--force'] },
  'service integration-create': {
    url: 'https://aiven.io/docs/tools/cli/service/integration',
    flags: [
      '--integration-type',
      '--source-service',
      '--dest-service',
      '--source-endpoint-id',
      '--dest-endpoint-id',
      '--user-config-json',
      '-c',
    ],
  },
  'service user-creds-download': {
    url: 'https://aiven.io/docs/tools/cli/service/user',
    flags: ['--username', '-d'],
  },
  // --json: the page's tip for user-get.
  'service user-get': {
    url: 'https://aiven.io/docs/tools/cli/service/user',
    flags: ['--username', '--json'],
  },
  'service connector status': { url: 'https://aiven.io/docs/tools/cli/service/connector', flags: [] },
  'service connector list': { url: 'https://aiven.io/docs/tools/cli/service/connector', flags: [] },
  'service connector restart': { url: 'https://aiven.io/docs/tools/cli/service/connector', flags: [] },
};

/** The ```sh blocks of a Markdown file, continuation lines joined: one shell line per entry. */
export function shellLines(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks.flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n')).filter((l) => l.trim() !== '');
}

/**
 * Shell words from `start`, quotes and $( ) kept whole, up to the end of the simple command (an
 * unquoted |, ;, &&, a closing parenthesis of an enclosing $( ), or a # comment).
 */
export function wordsFrom(line: string, start: number): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = start; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      word += ch;
      if (ch === quote && depth === 0) quote = undefined;
      else if (ch === '(' && line[i - 1] === '$') depth++;
      else if (ch === ')' && depth > 0) depth--;
      continue;
    }
    if (depth > 0) {
      word += ch;
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      word += ch;
    } else if (ch === '(' && line[i - 1] === '$') {
      depth = 1;
      word += ch;
    } else if (/\s/.test(ch)) {
      if (word) words.push(word);
      word = '';
    } else if (ch === '|' || ch === ';' || ch === ')' || ch === '&' || (ch === '#' && word === '')) {
      break;
    } else word += ch;
  }
  if (word) words.push(word);
  return words;
}

/** Every `avn` command in the shell lines: its command key (as in AVN_REFERENCE) and its flags. */
export function avnCommands(lines: string[]): { line: string; command: string; flags: string[] }[] {
  const found: { line: string; command: string; flags: string[] }[] = [];
  for (const line of lines) {
    for (const m of line.matchAll(/(?:^|[\s(])avn\s/g)) {
      const words = wordsFrom(line, (m.index ?? 0) + m[0].indexOf('avn') + 4);
      const verbs: string[] = [];
      for (const w of words) {
        if (w.startsWith('-') || verbs.length === 3) break;
        const key = [...verbs, w].join(' ');
        if (Object.keys(AVN_REFERENCE).some((k) => k === key || k.startsWith(`${key} `))) verbs.push(w);
        else break;
      }
      const flags = words.filter((w) => /^--?[a-z]/.test(w)).map((w) => w.split('=')[0] as string);
      found.push({ line, command: verbs.join(' '), flags });
    }
  }
  return found;
}

/** Commands or flags of the walkthrough that Aiven's CLI reference does not list. */
export function avnProblems(lines: string[]): string[] {
  return avnCommands(lines).flatMap(({ line, command, flags }) => {
    const reference = AVN_REFERENCE[command];
    if (!reference) return [`avn ${command || '?'}: not a command the reference lists (${line.trim()})`];
    return flags
      .filter((f) => !reference.flags.includes(f))
      .map((f) => `avn ${command}: ${f} is not among its flags in ${reference.url}`);
  });
}

/** `kubectl … create secret generic NAME --from-literal=KEY=… --from-file=PATH`: each Secret's keys. */
export function secretsCreated(lines: string[]): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const line of lines) {
    const m = /kubectl .*create secret generic ([\w-]+)/.exec(line);
    if (!m) continue;
    const keys = new Set<string>();
    for (const f of line.matchAll(/--from-literal=([A-Za-z_][\w.-]*)=/g)) keys.add(f[1] as string);
    for (const f of line.matchAll(/--from-file=(?:([\w.-]+)=)?(\S+)/g))
      keys.add(f[1] ?? ((f[2] as string).split('/').pop() as string));
    secrets.set(m[1] as string, keys);
  }
  return secrets;
}

/**
 * The Secrets rendered pods refer to, with the keys they read: env secretKeyRefs name theirs; a Secret
 * mounted whole or taken by envFrom needs every key `listed` gives it.
 */
export function referencedSecrets(
  objects: Json[],
  listed: Map<string, Set<string>>,
): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  const add = (name: string, keys: Iterable<string>) => {
    const set = refs.get(name) ?? new Set<string>();
    for (const k of keys) set.add(k);
    refs.set(name, set);
  };
  for (const o of objects) {
    const pod = (((o.spec as Json | undefined)?.template as Json | undefined)?.spec ?? {}) as Json;
    for (const c of [
      ...((pod.initContainers as Json[] | undefined) ?? []),
      ...((pod.containers as Json[] | undefined) ?? []),
    ]) {
      for (const e of (c.env as Json[] | undefined) ?? []) {
        const ref = (e.valueFrom as Json | undefined)?.secretKeyRef as Json | undefined;
        if (ref) add(String(ref.name), [String(ref.key)]);
      }
      for (const from of (c.envFrom as Json[] | undefined) ?? []) {
        const name = (from.secretRef as Json | undefined)?.name;
        if (typeof name === 'string') add(name, listed.get(name) ?? []);
      }
    }
    for (const v of (pod.volumes as Json[] | undefined) ?? []) {
      const name = (v.secret as Json | undefined)?.secretName;
      if (typeof name === 'string') add(name, listed.get(name) ?? []);
    }
  }
  return refs;
}

/** The value a `--from-literal=KEY="…"` of the walkthrough gives, with the shell variables filled in. */
export function literalValue(lines: string[], key: string, vars: Record<string, string>): string | undefined {
  for (const line of lines) {
    const m = new RegExp(`--from-literal=${key}="([^"]*)"`).exec(line);
    if (m) return (m[1] as string).replace(/\$([A-Z_]+)/g, (_, name: string) => vars[name] ?? `$${name}`);
  }
  return undefined;
}

/** The jq program of the walkthrough's secret_providers step. */
export function secretProvidersProgram(lines: string[]): string | undefined {
  const line = lines.find((l) => l.includes('secret_providers=') && l.includes('jq -nc'));
  return line ? /'(\[[^']*\])'/.exec(line)?.[1] : undefined;
}

/**
 * Aiven's ENV secret provider config: `[{name, env: {secrets: {key: value}}}]`
 * (https://aiven.io/docs/products/kafka/kafka-connect/howto/configure-env-secret-provider), as a map
 * of provider → its secrets; problems where the shape differs.
 */
export function readSecretProviders(value: unknown): { providers: Map<string, Json>; problems: string[] } {
  const providers = new Map<string, Json>();
  const problems: string[] = [];
  if (!Array.isArray(value)) return { providers, problems: ['secret_providers is not a list'] };
  for (const p of value as unknown[]) {
    const secrets = isObject(p) && isObject(p.env) ? p.env.secrets : undefined;
    if (!isObject(p) || typeof p.name !== 'string' || !isObject(secrets)) {
      problems.push(`secret provider ${JSON.stringify(p)} is not {name, env: {secrets: {…}}}`);
      continue;
    }
    for (const [k, v] of Object.entries(secrets))
      if (typeof v !== 'string' || v === '') problems.push(`secret ${p.name}:${k} has no value`);
    providers.set(p.name, secrets);
  }
  return { providers, problems };
}

/**
 * The options of Aiven's JDBC sink
 * (https://github.com/Aiven-Open/jdbc-connector-for-apache-kafka/blob/master/docs/sink-connector-config-options.rst).
 */
export const AIVEN_JDBC_SINK_OPTIONS = [
  'connection.url',
  'connection.user',
  'connection.password',
  'db.timezone',
  'dialect.name',
  'sql.quote.identifiers',
  'insert.mode',
  'batch.size',
  'table.name.format',
  'table.name.normalize',
  'pk.mode',
  'pk.fields',
  'fields.whitelist',
  'handle.tombstone',
  'auto.create',
  'auto.evolve',
  'max.retries',
  'retry.backoff.ms',
];

/** Every sink connector's own options (https://kafka.apache.org/documentation/#sinkconnectorconfigs). */
export const CONNECT_SINK_OPTIONS = [
  'name',
  'connector.class',
  'tasks.max',
  'topics',
  'topics.regex',
  'key.converter',
  'value.converter',
  'header.converter',
  'config.action.reload',
  'transforms',
  'predicates',
  'errors.retry.timeout',
  'errors.retry.delay.max.ms',
  'errors.tolerance',
  'errors.log.enable',
  'errors.log.include.messages',
  'errors.deadletterqueue.topic.name',
  'errors.deadletterqueue.topic.replication.factor',
  'errors.deadletterqueue.context.headers.enable',
];
const PREFIXES = [
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'consumer.override.',
  'transforms.',
  'predicates.',
];

const ENUMS: Record<string, string[]> = {
  'insert.mode': ['insert', 'multi', 'upsert', 'update'],
  'pk.mode': ['none', 'kafka', 'record_key', 'record_value'],
  'errors.tolerance': ['none', 'all'],
};
const BOOLEANS = [
  'auto.create',
  'auto.evolve',
  'sql.quote.identifiers',
  'errors.log.enable',
  'errors.log.include.messages',
  'errors.deadletterqueue.context.headers.enable',
];
const INTEGERS = [
  'tasks.max',
  'batch.size',
  'max.retries',
  'retry.backoff.ms',
  'errors.deadletterqueue.topic.replication.factor',
];
/** Keys whose value is a secret: only a secret-provider reference may stand there. */
const SECRETS = ['connection.password', 'value.converter.basic.auth.user.info'];

/**
 * A rendered Aiven sink config against the sink's and Connect's options, with its secrets only as
 * references that resolve in the Connect service's secret providers, and none of `secretValues` in it.
 */
export function aivenSinkProblems(
  config: Record<string, string>,
  providers: Map<string, Json>,
  secretValues: string[] = [],
): string[] {
  const problems: string[] = [];
  if (config['connector.class'] !== 'io.aiven.connect.jdbc.JdbcSinkConnector')
    problems.push(`connector.class is ${config['connector.class']}, not Aiven's JDBC sink`);
  for (const [key, value] of Object.entries(config)) {
    if (
      !AIVEN_JDBC_SINK_OPTIONS.includes(key) &&
      !CONNECT_SINK_OPTIONS.includes(key) &&
      !PREFIXES.some((p) => key.startsWith(p))
    )
      problems.push(`${key}: not an option of Aiven's JDBC sink or of a sink connector`);
    const allowed = ENUMS[key];
    if (allowed && !allowed.includes(value))
      problems.push(`${key}: ${value} is not one of ${allowed.join(', ')}`);
    if (BOOLEANS.includes(key) && !['true', 'false'].includes(value))
      problems.push(`${key}: ${value} is not a boolean`);
    if (INTEGERS.includes(key) && !/^\d+$/.test(value)) problems.push(`${key}: ${value} is not an integer`);
    for (const ref of value.matchAll(/\$\{([A-Za-z][\w.-]*):([^}]+)\}/g)) {
      const secrets = providers.get(ref[1] as string);
      if (!secrets || !((ref[2] as string) in secrets))
        problems.push(`${key}: ${ref[0]} names no secret of the Connect service's secret providers`);
    }
    if (SECRETS.includes(key) && value !== '' && !/^\$\{[A-Za-z][\w.-]*:[^}]+\}$/.test(value))
      problems.push(`${key}: a value in plain text, not a secret-provider reference`);
    for (const secret of secretValues)
      if (secret && value.includes(secret)) problems.push(`${key}: holds a secret value in plain text`);
  }
  const url = config['connection.url'] ?? '';
  const host = /^jdbc:postgresql:\/\/([^/:?]+)/.exec(url)?.[1] ?? '';
  if (host && (!host.includes('.') || /\.svc(\.|$)|\.cluster\.local$|^(localhost|127\.)/.test(host)))
    problems.push(
      `connection.url names ${host}, a name inside your cluster or machine: Aiven's Connect cannot reach it (CONNECT_DATABASE_URL)`,
    );
  if (!/^jdbc:postgresql:\/\/[^/@]+\/\w+/.test(url))
    problems.push(`connection.url ${url} is not a JDBC PostgreSQL URL of a host`);
  if (/password=/i.test(url)) problems.push('connection.url carries a password');
  if (!/[?&]sslmode=(require|verify-ca|verify-full)\b/.test(url))
    problems.push(`connection.url ${url} does not ask for TLS (sslmode): Aiven's PostgreSQL requires it`);
  return problems;
}
