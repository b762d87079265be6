/** Summaries of measured samples: nearest-rank percentiles, so p99 of 100 samples is a real sample. */

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  /** The tail Kafka's EndToEndLatency also reports: at 1,000 samples, the highest but one. */
  p999: number;
  max: number;
}

/** The nearest-rank percentile (0 < p ≤ 100) of `sorted` (ascending); NaN when there are no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // In thousandths of a percent: in floating point 0.999 × 1,000 is 999.0000000000001, which would make
  // p99.9 of 1,000 samples their max.
  const rank = Math.ceil((Math.round(p * 1000) * sorted.length) / 100_000);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** Events per second of the timestamps (ms) that fall in [from, to). */
export function rateIn(timestamps: readonly number[], from: number, to: number): number {
  if (to <= from) return Number.NaN;
  const inside = timestamps.filter((t) => t >= from && t < to).length;
  return (inside * 1000) / (to - from);
}

/** a ÷ b, or NaN when either is missing, so a failed measurement never shows as a ratio of 0 or ∞. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/**
 * The per-till rates that offer `total` orders/s from `tills` tills on fixed schedules (each till's
 * TILL_RATE), never below a floor that keeps a till from waiting seconds between orders.
 */
export function perTillRate(total: number, tills: number, floor = 1): number {
  if (tills < 1) throw new Error('at least one till');
  return Math.max(floor, total / tills);
}

/**
 * The end of a drain run's window: the window's own end, or the moment the last of the backlog was made
 * ready when that came first (the preparers then drained all of it, and the window's rest was idle).
 * Undefined when fewer than `minSeconds` of the window were spent draining: too short to measure a rate.
 */
export function drainWindowEnd(
  readyTimes: readonly number[],
  backlog: number,
  window: { from: number; to: number },
  minSeconds: number,
): number | undefined {
  if (readyTimes.length < backlog) return window.to;
  // A loop, not Math.max(...): a backlog is a million timestamps, past what a call's arguments can hold.
  const last = readyTimes.reduce((a, b) => (b > a ? b : a), -Infinity);
  const end = Math.min(window.to, last);
  return end - window.from >= minSeconds * 1000 ? end : undefined;
}
