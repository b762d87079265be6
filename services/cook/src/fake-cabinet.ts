import { noPortions, type Cabinet, type Portions } from '@chippy/messaging';

/** An in-memory cabinet for unit tests, adding each request's plaice once like the Redis one. */
export function fakeCabinet(initial: Partial<Portions> = {}): Pick<Cabinet, 'add' | 'levels'> & {
  now: Portions;
} {
  const now = { ...noPortions(), ...initial };
  const answered = new Set<string>();
  return {
    now,
    add(stock, requests = []) {
      now.cod += stock.cod ?? 0;
      now.chips += stock.chips ?? 0;
      const fresh = requests.map(({ orderId, attempt, plaice }) => {
        const key = `${orderId}:${attempt}`;
        if (answered.has(key)) return false;
        answered.add(key);
        now.plaice += plaice;
        return true;
      });
      return Promise.resolve(fresh);
    },
    levels: () => Promise.resolve({ ...now }),
  };
}
