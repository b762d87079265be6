import type { Logger } from './logger.js';
import { sleep } from './sleep.js';

export interface RetryOptions {
  logger: Logger;
  /** Stops retrying: the pending wait ends and `retry` rejects with the signal's reason. */
  signal?: AbortSignal;
  minMs?: number;
  maxMs?: number;
  /** Attempts after the first; Infinity (default) retries until it works or the signal aborts. */
  retries?: number;
  /** Return false for errors that retrying cannot fix; they are thrown at once. */
  shouldRetry?: (error: unknown) => boolean;
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Calls `fn` until it resolves, waiting exponentially longer (with jitter) after each failure. */
export async function retry<T>(what: string, fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const {
    logger,
    signal,
    minMs = 250,
    maxMs = 10_000,
    retries = Infinity,
    shouldRetry = () => true,
  } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      if (attempt > retries || !shouldRetry(error)) throw error;
      // Random between minMs and the doubling bound, so services restarted together do not retry in step.
      const bound = Math.min(maxMs, minMs * 2 ** (attempt - 1));
      const delayMs = Math.round(minMs + Math.random() * Math.max(0, bound - minMs));
      logger.warn(
        { attempt, delayMs, err: errorMessage(error) },
        `${what} failed, retrying in ${delayMs} ms`,
      );
      await sleep(delayMs, signal);
    }
  }
}
