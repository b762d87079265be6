import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kafka,
  Partitioners,
  logLevel,
  type KafkaConfig as KafkaJsConfig,
  type LogEntry,
  type ConsumerConfig,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from './logger.js';

export interface KafkaConfig {
  kafkaUri: string;
  certsDir: string;
  saslMechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  saslUsername: string;
  saslPassword: string;
}

interface Security {
  ssl?: { ca: string[]; cert?: string; key?: string };
  sasl?: SASLOptions;
  description: string;
}

/**
 * How to reach the brokers: SSL with client certificates when the certs directory holds all three
 * Aiven-style files; SASL when a mechanism is set, over SSL when at least ca.pem is there (Aiven's SASL
 * endpoints need only the CA), otherwise over plaintext.
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
  return { description: 'plaintext' };
}

/** For log lines: "plaintext", "ssl", "sasl_ssl (scram-sha-512)" or "sasl_plaintext (plain)". */
export const describeKafka = (config: KafkaConfig): string => kafkaSecurity(config).description;

const toKafkaJsLevel: Record<string, logLevel> = {
  trace: logLevel.DEBUG,
  debug: logLevel.DEBUG,
  info: logLevel.INFO,
  warn: logLevel.WARN,
  error: logLevel.ERROR,
  fatal: logLevel.ERROR,
  silent: logLevel.NOTHING,
};

const omit = (object: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));

/** Routes kafkajs's own log lines into pino at the matching level. */
function kafkaJsLogCreator(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      // kafkajs adds its own timestamp and logger name; pino has both already.
      const fields = { namespace, ...omit(extra, ['timestamp', 'logger']) };
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}

/** The one place Kafka clients are made, so every service connects, retries and logs the same way. */
export function createKafka(
  config: KafkaConfig,
  clientId: string,
  logger: Logger,
  overrides: Partial<Pick<KafkaJsConfig, 'retry' | 'connectionTimeout' | 'requestTimeout'>> = {},
): Kafka {
  const { ssl, sasl } = kafkaSecurity(config);
  return new Kafka({
    clientId,
    brokers: config.kafkaUri.split(','),
    ...(ssl && { ssl }),
    ...(sasl && { sasl }),
    // kafkajs's 1 s default is too short for a TLS handshake to a cloud broker.
    connectionTimeout: 5000,
    retry: { initialRetryTime: 300, retries: 10 },
    logLevel: toKafkaJsLevel[logger.level] ?? logLevel.INFO,
    logCreator: kafkaJsLogCreator(logger),
    ...overrides,
  });
}

/**
 * Options for the idempotent producer (acks=all is kafkajs's default for `send`). kafkajs allows only one
 * request in flight with idempotence, and retries without limit as it does by default for idempotent
 * producers (the client-wide limit would otherwise apply, with a warning that it weakens the guarantee).
 * The Java-compatible partitioner is named explicitly, which also silences kafkajs's start-up warning.
 */
export const producerOptions = (): ProducerConfig => ({
  idempotent: true,
  maxInFlightRequests: 1,
  retry: { retries: Number.MAX_SAFE_INTEGER },
  createPartitioner: Partitioners.DefaultPartitioner,
});

/**
 * Options for the services' consumer groups. Topics come from `ensureTopics`, never from auto-creation.
 * A fetch waits at most 1 s for data (kafkajs waits 5 s), because a disconnect waits for the fetch in
 * flight and graceful shutdown has 10 s in all.
 */
export const consumerOptions = (groupId: string): ConsumerConfig => ({
  groupId,
  allowAutoTopicCreation: false,
  maxWaitTimeInMs: 1000,
});
