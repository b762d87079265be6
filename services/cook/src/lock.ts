/** Runs `job` once every job given before it has settled. */
export type Lock = <T>(job: () => Promise<T>) => Promise<T>;

/**
 * Jobs one at a time, in the order given: the cook has one fryer, so a cook request and a restock never
 * fry at once. A failed job does not block the ones after it.
 */
export function createLock(): Lock {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>) => {
    const result = tail.then(job);
    tail = result.catch(() => undefined);
    return result;
  };
}
