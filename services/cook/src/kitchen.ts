import { scaledDelay, sleep, type Cabinet, type Portions } from '@chippy/messaging';
import type { Lock } from './lock.js';

/** What cooking needs, whether for a request or a restock. */
export interface Kitchen {
  timeScale: number;
  cabinet: Pick<Cabinet, 'add' | 'levels'>;
  fryer: Lock;
  /** Called with the cabinet levels each time the cook looks (for the gauge). */
  onLevels?(levels: Portions): void;
  /** Called once per batch that went into the cabinet (not for one that was in already). */
  onAdded?(batch: Portions): void | Promise<void>;
  random?: () => number;
}

export interface Fried {
  batch: Portions;
  /** False when there was nothing to fry or this batch was in the cabinet already (a redelivery). */
  added: boolean;
}

/**
 * One turn at the fryer: looks at the cabinet, fries what `decide` makes of its levels and puts it in.
 * The levels are read inside the turn so that a batch that just came out is taken into account.
 */
export function fry(
  kitchen: Kitchen,
  decide: (levels: Portions) => Portions,
  batchKey?: { orderId: string; attempt: number },
): Promise<Fried> {
  return kitchen.fryer(async () => {
    const levels = await kitchen.cabinet.levels();
    kitchen.onLevels?.(levels);
    const batch = decide(levels);
    if (Object.values(batch).every((n) => n === 0)) return { batch, added: false };
    // In-flight frying is finished even during shutdown: it is at most one batch's cooking time.
    await sleep(scaledDelay(3.0, 3.2, kitchen.timeScale, kitchen.random));
    const [fresh] = await kitchen.cabinet.add(batch, batchKey ? [{ ...batchKey, plaice: batch.plaice }] : []);
    const added = fresh ?? true;
    if (added) await kitchen.onAdded?.(batch);
    return { batch, added };
  });
}
