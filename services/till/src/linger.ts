/** How long a message waits for others to share its send, and how many one send carries at most. */
export interface LingerOptions {
  lingerMs: number;
  maxBatch: number;
}

export interface LingeringSender<M> {
  /** Queues a message; resolves once the send that carried it is acknowledged (rejects if it failed). */
  add(message: M): Promise<void>;
  /** Messages queued or in flight. */
  readonly pending: number;
  /** Resolves once every message added so far has been sent (or failed). */
  drain(): Promise<void>;
}

interface Waiting<M> {
  message: M;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Batches sends the way the Java producer's `linger.ms` does, which kafkajs lacks: a message waits up to
 * `lingerMs` for others, then all waiting go in one send; one send is in flight at a time (the idempotent
 * producer allows no more), and what arrives meanwhile goes in the next. A full batch goes at once.
 */
export function lingeringSender<M>(
  send: (batch: M[]) => Promise<void>,
  { lingerMs, maxBatch }: LingerOptions,
): LingeringSender<M> {
  let queue: Waiting<M>[] = [];
  let inFlight = 0;
  let sending: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (sending || queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    inFlight = batch.length;
    sending = send(batch.map((w) => w.message)).then(
      () => batch.forEach((w) => w.resolve()),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
    void sending.finally(() => {
      sending = undefined;
      inFlight = 0;
      // What queued during the send has waited at least as long as the linger already.
      flush();
    });
  };

  return {
    add(message) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ message, resolve, reject });
        if (queue.length >= maxBatch) flush();
        else timer ??= setTimeout(flush, lingerMs);
      });
    },
    get pending() {
      return queue.length + inFlight;
    },
    async drain() {
      while (sending || queue.length > 0) {
        flush();
        await sending?.catch(() => undefined);
      }
    },
  };
}
