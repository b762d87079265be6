/**
 * A simulated duration in whole milliseconds: uniform between the bounds (seconds), times TIME_SCALE.
 * `timeScale` 0 gives 0, which `sleep` turns into no wait at all.
 */
export function scaledDelay(
  minSeconds: number,
  maxSeconds: number,
  timeScale: number,
  random: () => number = Math.random,
): number {
  return Math.round((minSeconds + (maxSeconds - minSeconds) * random()) * timeScale * 1000);
}

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
