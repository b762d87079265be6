import { stockedItems, type Stock } from './stock-policy.js';

/**
 * What the preparers take, in portions per real second, from the cabinet's running `taken` totals as the
 * cook sees them on each look: the change over the last `windowMs`. Totals that go down (Redis was
 * restarted and lost them) start the window again.
 */
export function createDemand(windowMs: number) {
  const samples: { at: number; taken: Stock }[] = [];
  return {
    observe(at: number, taken: Stock): void {
      const last = samples.at(-1);
      if (last && stockedItems.some((item) => taken[item] < last.taken[item])) samples.length = 0;
      samples.push({ at, taken: { ...taken } });
      // Keep one sample at or before the window's start, so the rate spans the whole window.
      while (samples.length > 2 && samples[1]!.at <= at - windowMs) samples.shift();
    },
    rate(): Stock {
      const first = samples[0];
      const last = samples.at(-1);
      const seconds = first && last ? (last.at - first.at) / 1000 : 0;
      if (!first || !last || seconds < 1) return { cod: 0, chips: 0 };
      return {
        cod: (last.taken.cod - first.taken.cod) / seconds,
        chips: (last.taken.chips - first.taken.chips) / seconds,
      };
    },
  };
}

export type Demand = ReturnType<typeof createDemand>;
