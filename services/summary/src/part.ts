/**
 * One part of the summary and how fresh it is. Each part has its own source (PostgreSQL, Redis, Kafka), so
 * one source failing leaves the others live: the page shows that part as stale (the last good figures, and
 * since when) or unavailable (nothing read yet), never a blank page.
 */
export interface Part<T> {
  status: 'starting' | 'ok' | 'stale' | 'unavailable';
  /** When `data` was read (ISO 8601), null before the first success. */
  readAt: string | null;
  /** When reading started failing, while it still fails. */
  staleSince: string | null;
  /** Why the last read failed, while it still fails. */
  error: string | null;
  data: T | null;
}

export const startingPart = <T>(): Part<T> => ({
  status: 'starting',
  readAt: null,
  staleSince: null,
  error: null,
  data: null,
});

export const partRead = <T>(data: T, now: Date): Part<T> => ({
  status: 'ok',
  readAt: now.toISOString(),
  staleSince: null,
  error: null,
  data,
});

/** Keeps the last good data; `staleSince` stays at the first failure of a run of failures. */
export function partFailed<T>(previous: Part<T>, error: string, now: Date): Part<T> {
  return {
    status: previous.data === null ? 'unavailable' : 'stale',
    readAt: previous.readAt,
    staleSince: previous.staleSince ?? now.toISOString(),
    error,
    data: previous.data,
  };
}
