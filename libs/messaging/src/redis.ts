import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { redactUrl } from './urls.js';

/**
 * The one place Redis clients are made: reconnects for ever with capped backoff and a log line per try,
 * and queues commands while disconnected (so a Redis restart delays work instead of failing it).
 * `onReady` reports connection state for /readyz.
 */
export function createRedis(
  url: string,
  logger: Logger,
  onReady: (ready: boolean) => void = () => undefined,
): Redis {
  const log = logger.child({ component: 'redis', url: redactUrl(url) });
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => {
      const delay = Math.min(200 * 2 ** Math.min(attempt, 6), 10_000);
      log.warn({ attempt, delayMs: delay }, 'Redis unreachable, retrying');
      return delay;
    },
  });
  redis.on('ready', () => {
    log.info('Redis connected');
    onReady(true);
  });
  redis.on('end', () => onReady(false));
  redis.on('close', () => onReady(false));
  redis.on('error', (error: Error) => log.debug({ err: error.message }, 'Redis error'));
  return redis;
}
