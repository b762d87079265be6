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
