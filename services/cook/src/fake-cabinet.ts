import { cabinetItems, noPortions, type Cabinet, type Portions } from '@chippy/messaging';

/** An in-memory cabinet for unit tests, adding each keyed batch once like the Redis one. */
export function fakeCabinet(initial: Partial<Portions> = {}): Pick<Cabinet, 'add' | 'levels'> & {
  now: Portions;
} {
  const now = { ...noPortions(), ...initial };
  const batches = new Set<string>();
  return {
    now,
    add(portions, batch) {
      const key = batch && `${batch.orderId}:${batch.attempt}`;
      if (key !== undefined && batches.has(key)) return Promise.resolve(false);
      if (key !== undefined) batches.add(key);
      for (const item of cabinetItems) now[item] += portions[item] ?? 0;
      return Promise.resolve(true);
    },
    levels: () => Promise.resolve({ ...now }),
  };
}
