import type { CookRequest } from '@chippy/shop';

/** Cook request `n` for unit tests: order `o-<n>`, one plaice short. */
export const cookRequest = (n: number, attempt = 1): CookRequest => ({
  order: { order_id: `o-${n}`, till: 'till-1', count: n, order_time: 1_000, items: ['plaice & chips'] },
  short: { plaice: 1 },
  preparer: 'p1',
  prepare_started: 1_500,
  attempt,
});
