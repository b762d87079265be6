import type { ShopResult } from './shop.js';

/**
 * The whole shop kept up with the load offered: the tills placed it (95 % or more) and the preparers made
 * ready what was placed (95 % or more), so no queue grew over the window.
 */
export const keptUp = (run: ShopResult): boolean =>
  run.placedPerSecond >= 0.95 * run.offered && run.readyPerSecond >= 0.95 * run.placedPerSecond;

export interface Sustained {
  /** The highest load offered that the whole shop kept up with, orders/s (0: none of the probes). */
  perSecond: number;
  probes: ShopResult[];
}

/**
 * The shop's maximum sustained rate, tills included: the highest open-loop load it keeps up with, found by
 * bisection between 0 and `ceiling` (the preparers' drain rate, which no live load can exceed) in `probes`
 * runs. A drain alone overstates it: live orders cost a produce, a fetch and an offset commit each, where a
 * backlog is fetched in large batches.
 */
export async function searchSustained(
  ceiling: number,
  probes: number,
  probe: (offered: number) => Promise<ShopResult>,
): Promise<Sustained> {
  let [low, high] = [0, ceiling];
  const runs: ShopResult[] = [];
  for (let i = 0; i < probes; i++) {
    const offered = Math.round((low + high) / 2);
    const run = await probe(offered);
    runs.push(run);
    if (keptUp(run)) low = offered;
    else high = offered;
  }
  return { perSecond: low, probes: runs };
}
