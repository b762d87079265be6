import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths pino censors in every log line, wherever a secret might end up in a logged object. */
const redactPaths = [
  'password',
  '*.password',
  'saslPassword',
  '*.saslPassword',
  'sasl.password',
  '*.sasl.password',
  'auth.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

/** pino JSON logs, one line per event, to stdout (or `destination`, for tests). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service, instance: `${hostname()}:${process.pid}` },
    redact: { paths: redactPaths, censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names rather than numbers, so people and log tools can read them without a lookup table.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
