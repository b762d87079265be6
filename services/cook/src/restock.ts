import { sleep, type Portions } from '@chippy/messaging';
import { restockBatch, type StockLevels } from './batch.js';
import { fry, type Kitchen } from './kitchen.js';

export interface RestockDeps extends Kitchen {
  stock: StockLevels;
}

/** Tops cod and chips up if either is below its low-water mark; resolves the batch added, if any. */
export async function restock(deps: RestockDeps): Promise<Portions | undefined> {
  const { batch, added } = await fry(deps, (levels) => restockBatch(levels, deps.stock));
  return added ? batch : undefined;
}

export interface KeepStockedOptions {
  intervalMs: number;
  /** Ends the loop; a restock in progress is finished first. */
  signal: AbortSignal;
  onRestocked(batch: Portions): void;
  onError(error: unknown): void;
}

/** Wakes every `intervalMs` and restocks until `signal` aborts; resolves once the loop has stopped. */
export async function keepStocked(deps: RestockDeps, options: KeepStockedOptions): Promise<void> {
  const { intervalMs, signal } = options;
  while (!signal.aborted) {
    await sleep(intervalMs, signal);
    if (signal.aborted) break;
    try {
      const batch = await restock(deps);
      if (batch) options.onRestocked(batch);
    } catch (error) {
      // Redis trouble: the next wake-up tries again, and requests still get cooked meanwhile.
      options.onError(error);
    }
  }
}
