/** Order latency (order_time → ready_time) over the last `windowSeconds`, as the page shows it. */
export interface LatencyStats {
  windowSeconds: number;
  /** Orders made ready in the window. */
  count: number;
  /** Seconds; null when no order was made ready in the window. */
  p50: number | null;
  p95: number | null;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Keeps the latencies of the orders made ready in the last `windowMs` (by their ready_time) and answers
 * their median and 95th percentile. At most `maxSamples` are kept: at hundreds of orders a second the
 * oldest go first, which still leaves the last few seconds' worth.
 */
export function createLatencyWindow(windowMs: number, now = Date.now, maxSamples = 20_000) {
  let samples: { at: number; seconds: number }[] = [];
  const prune = () => {
    const since = now() - windowMs;
    if (samples.length > maxSamples) samples = samples.slice(samples.length - maxSamples);
    const first = samples.findIndex((s) => s.at >= since);
    if (first !== 0) samples = first < 0 ? [] : samples.slice(first);
  };
  return {
    add(orderTime: number, readyTime: number): void {
      samples.push({ at: readyTime, seconds: Math.max(0, readyTime - orderTime) / 1000 });
      if (samples.length > maxSamples * 2) prune();
    },
    stats(): LatencyStats {
      prune();
      const sorted = samples.map((s) => s.seconds).sort((a, b) => a - b);
      return {
        windowSeconds: windowMs / 1000,
        count: sorted.length,
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
      };
    },
  };
}

export type LatencyWindow = ReturnType<typeof createLatencyWindow>;
