import { type RetryOptions, type SASLOptions } from 'kafkajs';
import { notBridged } from './errors.js';

export interface PlatformaticSecurity {
  ssl?: { ca: string[]; cert?: string; key?: string };
  sasl?: SASLOptions;
}

/** createKafka's overrides, as kafkajs names them. */
export interface PlatformaticOverrides {
  retry?: RetryOptions;
  connectionTimeout?: number;
  requestTimeout?: number;
}

/**
 * kafkajs's defaults, where chippy relies on them and @platformatic/kafka's differ, in one place: 5 s to
 * connect (createKafka's), 30 s for a request (a group join waits for the other members), 10 retries from
 * 300 ms, doubling up to 30 s; a consumer's group timings and one partition handled at a time; and how
 * long `createTopics` waits for the new topics' leaders, looking every 100 ms.
 */
export const defaults = {
  connectionTimeout: 5000,
  requestTimeout: 30_000,
  retries: 10,
  initialRetryTime: 300,
  maxRetryTime: 30_000,
  sessionTimeout: 30_000,
  rebalanceTimeout: 60_000,
  heartbeatInterval: 3000,
  partitionsConsumedConcurrently: 1,
  leadersTimeout: 10_000,
  leadersPoll: 100,
} as const;

const saslMechanisms = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

/** kafkajs's retry pause: initialRetryTime, doubling on every retry, up to maxRetryTime. */
export const retryDelay =
  (initial: number = defaults.initialRetryTime, max: number = defaults.maxRetryTime) =>
  (_client: unknown, _operation: string, attempt: number): number =>
    Math.min(initial * 2 ** Math.max(0, attempt - 1), max);

/** The options every @platformatic/kafka client takes, from kafkajs-style settings. */
export function clientOptions(
  brokers: string[],
  clientId: string,
  { ssl, sasl }: PlatformaticSecurity,
  { retry = {}, connectionTimeout, requestTimeout }: PlatformaticOverrides = {},
) {
  let mapped:
    | { mechanism: (typeof saslMechanisms)[keyof typeof saslMechanisms]; username: string; password: string }
    | undefined;
  if (sasl) {
    const mechanism = saslMechanisms[sasl.mechanism as keyof typeof saslMechanisms];
    if (!mechanism || !('username' in sasl)) throw notBridged(`the SASL mechanism ${sasl.mechanism}`);
    mapped = { mechanism, username: sasl.username, password: sasl.password };
  }
  return {
    clientId,
    bootstrapBrokers: brokers,
    ...(ssl && {
      tls: { ca: ssl.ca, ...(ssl.cert && { cert: ssl.cert }), ...(ssl.key && { key: ssl.key }) },
    }),
    ...(mapped && { sasl: mapped }),
    connectTimeout: connectionTimeout ?? defaults.connectionTimeout,
    timeout: requestTimeout ?? defaults.requestTimeout,
    retries: retry.retries ?? defaults.retries,
    retryDelay: retryDelay(
      retry.initialRetryTime ?? defaults.initialRetryTime,
      retry.maxRetryTime ?? defaults.maxRetryTime,
    ),
  };
}
