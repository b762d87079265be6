import { noPortions, type Cabinet, type Portions } from '@chippy/shop';

/** An in-memory cabinet for unit tests, adding each request's plaice once like the Redis one. */
export function fakeCabinet(initial: Partial<Portions> = {}): Pick<Cabinet, 'add' | 'totals'> & {
  now: Portions;
  /** What a preparer would take (counted in the totals the cook reads its demand from). */
  take(portions: Partial<Portions>): void;
} {
  const now = { ...noPortions(), ...initial };
  const cooked = noPortions();
  const taken = noPortions();
  const answered = new Set<string>();
  const put = (item: keyof Portions, n: number) => {
    now[item] += n;
    cooked[item] += n;
  };
  return {
    now,
    add(stock, requests = []) {
      put('cod', stock.cod ?? 0);
      put('chips', stock.chips ?? 0);
      const fresh = requests.map(({ orderId, attempt, plaice }) => {
        const key = `${orderId}:${attempt}`;
        if (answered.has(key)) return false;
        answered.add(key);
        put('plaice', plaice);
        return true;
      });
      return Promise.resolve(fresh);
    },
    take(portions) {
      for (const [item, n] of Object.entries(portions) as [keyof Portions, number][]) {
        now[item] -= n;
        taken[item] += n;
      }
    },
    totals: () => Promise.resolve({ cooked: { ...cooked }, taken: { ...taken }, levels: { ...now } }),
  };
}
