import type { Order } from '@chippy/shop';

/** Order number `n` (1–9) of one till, for unit tests: its id ends in `n`. */
export const orderNo = (n: number): Order => ({
  order_id: `6f1c1d1e-0000-4000-8000-00000000000${n}`,
  till: 'till-1',
  count: n,
  order_time: 1_000,
  items: ['cod & chips'],
});
