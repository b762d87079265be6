import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@chippy/runtime';
import {
  Kafka,
  Partitioners,
  logLevel,
  type KafkaConfig as KafkaJsConfig,
  type ConsumerConfig,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import { createConfluentKafka } from './kafka-confluent.js';
import { createPlatformaticKafka } from './platformatic/client.js';
import { kafkaJsLogCreator, toKafkaJsLevel } from './kafkajs-log.js';
import { ReconnectingKafka } from './silent-connections.js';

export interface KafkaConfig {
  kafkaUri: string;
  certsDir: string;
  saslMechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  saslUsername: string;
  saslPassword: string;
  /** SASL without TLS is refused unless this says so (KAFKA_SASL_PLAINTEXT): its password travels in clear. */
  saslPlaintext?: boolean;
  /**
   * kafkajs (the default), @confluentinc/kafka-javascript (see kafka-confluent.ts) or @platformatic/kafka
   * (see platformatic/client.ts).
   */
  kafkaClient?: 'kafkajs' | 'confluent' | 'platformatic';
}

interface Security {
  ssl?: { ca: string[]; cert?: string; key?: string };
  sasl?: SASLOptions;
  description: string;
}

/** The Aiven-style files a certs directory may hold. */
export const certFiles = ['ca.pem', 'service.cert', 'service.key'] as const;

/**
 * How to reach the brokers: SSL with client certificates when the certs directory holds all three
 * Aiven-style files; SASL when a mechanism is set, over SSL when at least ca.pem is there (Aiven's SASL
 * endpoints need only the CA), otherwise over plaintext. ca.pem alone without SASL is TLS without a client
 * certificate (the broker proves who it is; the client does not).
 */
function kafkaSecurity(config: KafkaConfig): Security {
  const path = (file: string) => join(config.certsDir, file);
  const read = (file: string) => readFileSync(path(file), 'utf8');
  const hasCa = existsSync(path('ca.pem'));
  const hasClientCert = hasCa && existsSync(path('service.cert')) && existsSync(path('service.key'));
  if (config.saslMechanism !== 'none') {
    const sasl = {
      mechanism: config.saslMechanism,
      username: config.saslUsername,
      password: config.saslPassword,
    };
    return hasCa
      ? { ssl: { ca: [read('ca.pem')] }, sasl, description: `sasl_ssl (${config.saslMechanism})` }
      : { sasl, description: `sasl_plaintext (${config.saslMechanism})` };
  }
  if (hasClientCert) {
    return {
      ssl: { ca: [read('ca.pem')], cert: read('service.cert'), key: read('service.key') },
      description: 'ssl',
    };
  }
  if (hasCa) return { ssl: { ca: [read('ca.pem')] }, description: 'ssl (no client certificate)' };
  return { description: 'plaintext' };
}

/**
 * `KAFKA_CERTS_DIR` as given on the command line or in the environment (the default, `certs`, may be
 * absent: then no TLS). A directory named explicitly must exist and hold a usable set of files.
 */
export function parseCertsDir(raw: string): string {
  const dir = raw.trim();
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new Error(`${JSON.stringify(raw)} does not exist`);
  }
  if (!isDirectory) throw new Error(`${JSON.stringify(raw)} is not a directory`);
  const present = certFiles.filter((file) => existsSync(join(dir, file)));
  if (present.length === 0) throw new Error(`${JSON.stringify(raw)} holds none of ${certFiles.join(', ')}`);
  const problem = certsDirProblem(dir);
  if (problem) throw new Error(problem);
  return dir;
}

/** Why the files in a certs directory cannot be used together, or undefined (also when there are none). */
function certsDirProblem(dir: string): string | undefined {
  const has = (file: string) => existsSync(join(dir, file));
  if (has('service.cert') !== has('service.key')) {
    const [there, missing] = has('service.cert')
      ? ['service.cert', 'service.key']
      : ['service.key', 'service.cert'];
    return `${JSON.stringify(dir)} holds ${there} but not ${missing}`;
  }
  if (has('service.cert') && !has('ca.pem')) {
    return `${JSON.stringify(dir)} holds service.cert and service.key but not ca.pem`;
  }
  return undefined;
}

/**
 * Settings that are each valid but do not fit together, as a one-line message naming the setting, or
 * undefined: a certs directory with half a client certificate, a SASL mechanism without credentials, or SASL
 * without TLS not explicitly allowed.
 */
export function kafkaSettingsProblem(config: KafkaConfig): string | undefined {
  const certsProblem = existsSync(config.certsDir) ? certsDirProblem(config.certsDir) : undefined;
  if (certsProblem) return `invalid KAFKA_CERTS_DIR (--certs-dir): ${certsProblem}`;
  if (config.saslMechanism !== 'none') {
    const needed = `needed with KAFKA_SASL_MECHANISM=${config.saslMechanism}`;
    if (!config.saslUsername) return `missing KAFKA_SASL_USERNAME (--sasl-username): ${needed}`;
    if (!config.saslPassword) return `missing KAFKA_SASL_PASSWORD (--sasl-password): ${needed}`;
    if (!existsSync(join(config.certsDir, 'ca.pem')) && !config.saslPlaintext)
      return (
        `KAFKA_SASL_PLAINTEXT (--sasl-plaintext) is not set: KAFKA_SASL_MECHANISM=${config.saslMechanism} ` +
        `without ca.pem in KAFKA_CERTS_DIR (--certs-dir) would send the password without TLS; give the CA, ` +
        `or set KAFKA_SASL_PLAINTEXT=true to allow it`
      );
  }
  return undefined;
}

/**
 * What an operator should check when connecting fails, for errors whose own text does not say it (a
 * broker closing a plaintext connection to its TLS listener says only "Closed connection").
 */
export function kafkaErrorHint(message: string, config: KafkaConfig): string | undefined {
  const security = kafkaSecurity(config).description;
  const dir = JSON.stringify(config.certsDir);
  if (/alert (bad certificate|certificate required|handshake failure)/i.test(message)) {
    return security === 'ssl'
      ? `the broker rejected the client certificate: service.cert in KAFKA_CERTS_DIR ${dir} must be signed by a CA the broker trusts`
      : `the broker asks for a client certificate (SSL listener): put ca.pem, service.cert and service.key in KAFKA_CERTS_DIR (now ${dir})`;
  }
  if (
    /alert (certificate unknown|unknown ca|certificate revoked|certificate expired|access denied)/i.test(
      message,
    )
  ) {
    return `the broker rejected the client certificate: service.cert in KAFKA_CERTS_DIR ${dir} must be signed by a CA the broker trusts`;
  }
  if (
    /unable to verify|self[- ]signed certificate|certificate has expired|does not match certificate|ERR_TLS_CERT_ALTNAME/i.test(
      message,
    )
  ) {
    return `the broker's certificate is not trusted: ca.pem in KAFKA_CERTS_DIR ${dir} must be the CA that signed it`;
  }
  if (
    /wrong version number|packet length too long|before secure TLS connection was established/i.test(message)
  ) {
    return `TLS was refused: is ${config.kafkaUri} a plaintext listener? (KAFKA_CERTS_DIR ${dir} holds ca.pem, so TLS is used)`;
  }
  if (/SASL .*authentication failed/i.test(message)) {
    return 'check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM';
  }
  if (/Closed connection/i.test(message) && !security.includes('ssl')) {
    return `the broker closed a connection made without TLS (KAFKA_CERTS_DIR ${dir} has no ca.pem): if this listener is SSL or SASL_SSL, give the certificates with -d`;
  }
  return undefined;
}

/** A Kafka error with the hint, if there is one, appended to its message (for retry log lines). */
export function withKafkaHint<E>(error: E, config: KafkaConfig): E {
  if (!(error instanceof Error)) return error;
  const hint = kafkaErrorHint(error.message, config);
  if (hint && !error.message.includes(hint)) error.message = `${error.message} (${hint})`;
  return error;
}

/** For log lines: "plaintext", "ssl", "sasl_ssl (scram-sha-512)" or "sasl_plaintext (plain)". */
export const describeKafka = (config: KafkaConfig): string => kafkaSecurity(config).description;

/**
 * The one place Kafka clients are made, so every service connects, retries and logs the same way. kafkajs
 * clients also close a connection a request timed out on (silent-connections.ts).
 */
export function createKafka(
  config: KafkaConfig,
  clientId: string,
  logger: Logger,
  overrides: Partial<Pick<KafkaJsConfig, 'retry' | 'connectionTimeout' | 'requestTimeout'>> = {},
): Kafka {
  const { ssl, sasl } = kafkaSecurity(config);
  if (config.kafkaClient === 'confluent') {
    return createConfluentKafka(config.kafkaUri.split(','), clientId, { ssl, sasl }, logger);
  }
  if (config.kafkaClient === 'platformatic') {
    return createPlatformaticKafka(config.kafkaUri.split(','), clientId, { ssl, sasl }, logger, overrides);
  }
  return new ReconnectingKafka(
    {
      clientId,
      brokers: config.kafkaUri.split(','),
      ...(ssl && { ssl }),
      ...(sasl && { sasl }),
      // kafkajs's 1 s default is too short for a TLS handshake to a cloud broker.
      connectionTimeout: 5000,
      retry: { initialRetryTime: 300, retries: 10 },
      logLevel: toKafkaJsLevel[logger.level] ?? logLevel.INFO,
      logCreator: kafkaJsLogCreator(logger, (message) => kafkaErrorHint(message, config)),
      ...overrides,
    },
    logger,
  );
}

/**
 * Options for the idempotent producer (acks=all is kafkajs's default for `send`). kafkajs allows only one
 * request in flight with idempotence, and retries without limit as it does by default for idempotent
 * producers (the client-wide limit would otherwise apply, with a warning that it weakens the guarantee).
 * The pause between retries doubles from 300 ms to at most 2 s, not kafkajs's 30 s: each retry refreshes the
 * metadata, so a send to a leader that died lands within about 2 s of the new leader's election (~10 s),
 * well inside the preparer's 20 s hand-over limit (services/preparer/src/claims.ts); with 30 s, a send
 * waited up to 19 s for its next try and preparers stopped on a broker kill.
 * The Java-compatible partitioner is named explicitly, which also silences kafkajs's start-up warning.
 */
export const producerOptions = (): ProducerConfig => ({
  idempotent: true,
  maxInFlightRequests: 1,
  retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 2_000 },
  createPartitioner: Partitioners.DefaultPartitioner,
});

/**
 * Options for a transactional producer (exactly-once consume → produce): the idempotent producer's
 * options plus a transactional id. Starting a producer with an id fences any older producer with the same
 * id (its next send or commit fails) and aborts the transaction it left open. A transaction left open
 * by a process that died is aborted by the broker after `transactionTimeout` if nobody takes its id over.
 * The first send of a transaction begun just after the last one committed is refused (CONCURRENT_TRANSACTIONS)
 * until the broker has written the commit markers; kafkajs retries it after `initialRetryTime`, here the
 * Java client's pause for this case rather than the client's 300 ms, which every transaction would wait
 * out (docs/benchmarks.md). The pause still doubles on every retry, up to 2 s, when a broker is really gone.
 */
export const transactionalProducerOptions = (transactionalId: string): ProducerConfig => ({
  ...producerOptions(),
  retry: { initialRetryTime: 20, retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 2_000 },
  transactionalId,
  transactionTimeout: 60_000,
});

/**
 * Options for the services' consumer groups. Topics come from `ensureTopics`, never from auto-creation.
 * A fetch waits at most 1 s for data (kafkajs waits 5 s), because a disconnect waits for the fetch in
 * flight and graceful shutdown has 10 s in all. A fetch brings at most 256 KB per partition (kafkajs: 1 MB):
 * kafkajs holds a whole fetch, decoded, until every message in it is handled, so a smaller fetch keeps a
 * preparer draining a backlog smaller at the same throughput, where a much smaller one costs CPU per order
 * (docs/decisions/client-settings.md). A batch is also what kafkajs commits at once, so a crash redelivers
 * less. A larger record still arrives whole (KIP-74).
 */
export const consumerOptions = (groupId: string): ConsumerConfig => ({
  groupId,
  allowAutoTopicCreation: false,
  maxWaitTimeInMs: 1000,
  maxBytesPerPartition: 256 * 1024,
});
