import { createKafka, type KafkaConfig } from '@chippy/kafka';
import { basicAuthHeader, createLogger, errorMessage, splitUrlAuth } from '@chippy/runtime';
import { Redis } from 'ioredis';
import pg from 'pg';

// Each check resolves to a short description of what answered, or rejects with why nothing did.

export async function checkKafka(config: KafkaConfig, timeoutMs: number): Promise<string> {
  // No retries and no kafkajs logging: one quick attempt, reported in a single line.
  const kafka = createKafka(config, 'chippy-check', createLogger('check', 'silent'), {
    connectionTimeout: Math.min(3000, timeoutMs),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers, clusterId } = await admin.describeCluster();
    return `${plural(brokers.length, 'broker')}, cluster ${clusterId}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function checkSchemaRegistry(uri: string, timeoutMs: number): Promise<string> {
  const subjects = await getJson(uri, '/subjects', timeoutMs);
  return Array.isArray(subjects) ? plural(subjects.length, 'subject') : 'answered';
}

const jdbcSink = /JdbcSinkConnector$/;

export async function checkKafkaConnect(uri: string, timeoutMs: number): Promise<string> {
  const [info, plugins] = await Promise.all([
    getJson(uri, '/', timeoutMs) as Promise<{ version?: string }>,
    getJson(uri, '/connector-plugins', timeoutMs) as Promise<{ class?: string }[]>,
  ]);
  const jdbc = plugins.some((plugin) => jdbcSink.test(plugin.class ?? ''));
  return `version ${info.version ?? '?'}, ${jdbc ? 'JDBC sink plugin installed' : 'no JDBC sink plugin'}`;
}

export async function checkPostgres(url: string, timeoutMs: number): Promise<string> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined); // a dropped connection after the check is not worth a crash
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('select version()');
    return `${rows[0]?.version.split(' ').slice(0, 2).join(' ')}, database ${client.database}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(url: string, timeoutMs: number): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // ioredis reports the cause through 'error' events and rejects connect() with "Connection is closed".
  let cause: Error | undefined;
  redis.on('error', (error: Error) => {
    cause = error;
  });
  try {
    await redis.connect().catch((error: Error) => Promise.reject(cause ?? error));
    await redis.ping();
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
    return `Redis ${version ?? '?'}`;
  } finally {
    // After a failed connect the client has already ended; disconnect() would only leave a 2 s timer.
    if (redis.status !== 'end') redis.disconnect();
  }
}

async function getJson(base: string, path: string, timeoutMs: number): Promise<unknown> {
  const { url, auth } = splitUrlAuth(base);
  const response = await fetch(`${url.replace(/\/$/, '')}${path}`, {
    headers: { accept: 'application/json', ...(auth && { authorization: basicAuthHeader(auth) }) },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} from ${path}`);
  return response.json();
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Rejects after `ms` if the promise has not settled by then. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const codes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  '3D000': 'database does not exist',
  '28P01': 'password authentication failed',
};

/** Why a check failed, in a few plain words: the error's code if known, else its message's first line. */
export function describeFailure(error: unknown): string {
  const chain: unknown[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  for (const e of chain) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !(code in codes)) continue;
    // PostgreSQL's own wording names the database or user, which is the useful part.
    return code === '3D000' || code === '28P01' ? errorMessage(e) : codes[code]!;
  }
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer (timed out)';
  const message = errorMessage(chain.at(-1) ?? error).split('\n')[0] ?? '';
  return message.replace(/^Connection error: /, '');
}
