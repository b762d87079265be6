import type { ShopResult } from './shop.js';

/**
 * The whole shop kept up with the load offered: the tills placed it (95 % or more) and the preparers made
 * ready what was placed (95 % or more). A rate test only: a queue left by the warm-up that the window
 * drains, or one that stands still, passes it (see `keptUpWithin`).
 */
export const keptUp = (run: ShopResult): boolean =>
  run.placedPerSecond >= 0.95 * run.offered && run.readyPerSecond >= 0.95 * run.placedPerSecond;

/** Kept up, and the p99 of order_time → ready over the window was at most `p99Ms`: no queue stood. */
export const keptUpWithin =
  (p99Ms: number) =>
  (run: ShopResult): boolean =>
    keptUp(run) && run.latencyMs.p99 <= p99Ms;

export interface Sustained {
  /** The highest load offered that the whole shop kept up with, orders/s (0: none of the probes). */
  perSecond: number;
  probes: ShopResult[];
}

/** The highest load kept up with a bounded p99, and the probes that found it (after the rate search's). */
export interface SustainedWithin extends Sustained {
  p99Ms: number;
}

/**
 * The shop's maximum sustained rate, tills included: the highest open-loop load that `passes`, found by
 * bisection between 0 and `ceiling` in `probes` runs. `known` are probes run already (another search's):
 * the interval starts between the highest that passed and the lowest that did not, so a second search
 * with a stricter test goes on from where the first left it. A drain alone overstates the rate: live
 * orders cost a produce, a fetch and an offset commit each, where a backlog is fetched in large batches.
 */
export async function searchSustained(
  ceiling: number,
  probes: number,
  probe: (offered: number) => Promise<ShopResult>,
  passes: (run: ShopResult) => boolean = keptUp,
  known: readonly ShopResult[] = [],
): Promise<Sustained> {
  let high = Math.min(ceiling, ...known.filter((r) => !passes(r)).map((r) => r.offered));
  let low = Math.max(0, ...known.filter((r) => passes(r) && r.offered < high).map((r) => r.offered));
  const runs: ShopResult[] = [];
  for (let i = 0; i < probes; i++) {
    const offered = Math.round((low + high) / 2);
    if (offered <= low || offered >= high) break; // the interval is down to one order/s
    const run = await probe(offered);
    runs.push(run);
    if (passes(run)) low = offered;
    else high = offered;
  }
  return { perSecond: low, probes: runs };
}
