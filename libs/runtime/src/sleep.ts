/**
 * Waits `ms` milliseconds. An abort ends the wait early and the promise resolves (never rejects), so loops
 * written as `while (!signal.aborted) { ...; await sleep(ms, signal); }` just stop; check `signal.aborted`
 * after the call if it matters. 0 or less resolves at once, without a timer.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
