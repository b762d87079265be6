import type { Logger } from '@chippy/runtime';
import { partFailed, partRead, type Part } from './part.js';
import { poll } from './poll.js';
import type { Board, DataOf, PartName } from './summary.js';

/** Where one part of the summary comes from. */
export interface Source<K extends PartName> {
  /** For the log lines, e.g. "read the orders from PostgreSQL". */
  what: string;
  read: () => Promise<DataOf<K>>;
  /** Told after every good read (readiness, say). */
  onRead?: () => void;
}

export type Sources = { [K in PartName]: Source<K> };

/**
 * Keeps every part of the board fresh, each from its own source every `intervalMs`, until `signal`
 * aborts. A failing source leaves its part stale (or unavailable) and is retried with backoff (poll.ts)
 * while the others carry on. Resolves once every loop has stopped.
 */
export async function refreshBoard(
  board: Board,
  sources: Sources,
  options: { intervalMs: number; logger: Logger; signal: AbortSignal; now?: () => Date },
): Promise<void> {
  const { now = () => new Date(), ...polling } = options;
  const refresh = <K extends PartName>(name: K) => {
    const { what, read, onRead } = sources[name];
    return poll({
      ...polling,
      what,
      read,
      onRead: (data) => {
        board.set(name, partRead(data, now()));
        onRead?.();
      },
      onFailed: (error) =>
        board.set(name, partFailed(board.current()[name] as Part<DataOf<K>>, error, now())),
    });
  };
  await Promise.all((Object.keys(sources) as PartName[]).map(refresh));
}
