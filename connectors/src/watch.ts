import { errorMessage, redactUrlsIn, sleep } from '@chippy/runtime';
import { describeStatus, isRunning, type ConnectApi, type ConnectorStatus } from './connect-api.js';

export interface WatchOptions {
  intervalMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
  /** First and longest wait before restarting a FAILED task; doubles while it keeps failing. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Each status read (undefined: no such connector). */
  onStatus?: (status: ConnectorStatus | undefined) => void;
  onRestart?: () => void;
}

/**
 * Kafka Connect never restarts a FAILED task by itself, and Debezium's JDBC sink fails its task when the
 * database is down at the moment it checks the table (its flush retries cover only the writes). This
 * loop does what an operator would (and what Strimzi's autoRestart does): restart the failed parts, with
 * a growing pause, until the task stays RUNNING. Offsets of a failed batch were never committed, so the
 * restarted task writes it again: nothing is lost, and the upsert adds nothing twice.
 */
export async function watchConnector(api: ConnectApi, name: string, options: WatchOptions): Promise<void> {
  const {
    intervalMs,
    signal,
    log,
    minBackoffMs = 5000,
    maxBackoffMs = 60_000,
    onStatus,
    onRestart,
  } = options;
  let failures = 0;
  let last = '';
  while (!signal.aborted) {
    try {
      const status = await api.status(name);
      onStatus?.(status);
      const summary = describeStatus(status);
      if (summary !== last) log(`connector ${name}: ${summary}`);
      last = summary;
      const failed = status ? [status.connector, ...status.tasks].filter((s) => s.state === 'FAILED') : [];
      if (failed.length > 0) {
        const delay = Math.min(maxBackoffMs, minBackoffMs * 2 ** failures);
        const reason = failed.map((s) => rootCause(s.trace)).find(Boolean) ?? 'no trace';
        log(`connector ${name} FAILED (${reason}); restarting in ${delay / 1000} s`);
        await sleep(delay, signal);
        await api.restartFailed(name);
        onRestart?.();
        failures++;
      } else if (status && isRunning(status)) {
        failures = 0;
      }
    } catch (error) {
      if (signal.aborted) break;
      log(`cannot read connector ${name}'s status: ${redactUrlsIn(errorMessage(error))}`);
    }
    await sleep(intervalMs, signal).catch(() => undefined);
  }
}

/** The innermost `Caused by:` of a Java stack trace (the outer lines only say the task died). */
export function rootCause(trace: string | undefined): string | undefined {
  const lines = trace?.split('\n') ?? [];
  const causes = lines.filter((l) => l.startsWith('Caused by: '));
  return (causes.at(-1)?.slice('Caused by: '.length) ?? lines[0])?.trim();
}
