import { errorMessage, retry, sleep, type Logger } from '@chippy/runtime';

export interface PollOptions<T> {
  /** For the log lines, e.g. "read the orders from PostgreSQL". */
  what: string;
  read: () => Promise<T>;
  onRead: (data: T) => void;
  onFailed: (error: string) => void;
  intervalMs: number;
  /** Longest wait between attempts while the source keeps failing. */
  maxBackoffMs?: number;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Reads a source every `intervalMs` until `signal` aborts. A failure is reported at once (so the page can
 * say so) and then retried with capped exponential backoff, one warning line per attempt (retry.ts), so an
 * unreachable database is neither hammered nor a crash.
 */
export async function poll<T>(options: PollOptions<T>): Promise<void> {
  const { what, read, onRead, onFailed, intervalMs, logger, signal } = options;
  const maxBackoffMs = Math.max(intervalMs, options.maxBackoffMs ?? 15_000);
  let failing = false;
  while (!signal.aborted) {
    let data: T;
    try {
      data = await retry(
        what,
        async () => {
          try {
            return await read();
          } catch (error) {
            failing = true;
            onFailed(errorMessage(error));
            throw error;
          }
        },
        { logger, signal, minMs: intervalMs, maxMs: maxBackoffMs },
      );
    } catch {
      return; // retry gives up only when the signal aborts: shutting down
    }
    if (failing) logger.info(`${what}: working again`);
    failing = false;
    onRead(data);
    await sleep(intervalMs, signal);
  }
}
