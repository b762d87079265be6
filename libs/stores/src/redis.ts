import { Redis } from 'ioredis';
import { redactUrl, type Logger } from '@chippy/runtime';

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

/**
 * Resolves once the client is connected. The first connect may fail; the client's retry strategy then
 * keeps trying (logging each attempt), so this waits for 'ready' rather than calling connect again.
 */
export async function redisReady(redis: Redis, signal?: AbortSignal): Promise<void> {
  if (redis.status === 'ready') return;
  // Not events.once: it rejects on the first 'error' event, and connection errors are expected here.
  const ready = new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      redis.off('ready', onReady);
      reject(signal?.reason as Error);
    };
    const onReady = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    redis.once('ready', onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  await ready;
}

/** Closes the client: politely when connected, at once when still trying to connect. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit();
  else if (redis.status !== 'end') redis.disconnect();
}
