import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderPlacer, type OrderMessage, type PlacerOptions } from './placer.js';
import { takeOrder } from './till.js';

const order = (n: number) => takeOrder('till-1', n, 1, false, 1_700_000_000_000 + n, `order-${n}`, 'card');
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A placer over a send that records each call, with what it placed and what failed. */
function placerWith(options: Partial<PlacerOptions> & { fail?: boolean }) {
  const sends: OrderMessage[][] = [];
  const placed: string[] = [];
  const failed: string[] = [];
  const placer = orderPlacer({
    send: (messages) => {
      sends.push(messages);
      return options.fail ? Promise.reject(new Error('broker gone')) : Promise.resolve();
    },
    encode: (o) => Promise.resolve(Buffer.from(o.order_id)),
    partition: undefined,
    batched: false,
    onPlaced: (o) => placed.push(o.order_id),
    onFailed: (o) => failed.push(o.order_id),
    ...options,
  });
  return { placer, sends, placed, failed };
}

describe('orderPlacer', () => {
  it('at the till pace sends each order alone, keyed by order_id, placed once sent', async () => {
    const { placer, sends, placed } = placerWith({});
    await placer.place(order(1));
    assert.deepEqual(placed, ['order-1'], 'placed as soon as place() resolves');
    await placer.place(order(2));
    assert.deepEqual(
      sends.map((batch) => batch.map((m) => [m.key, m.value.toString(), m.partition])),
      [[['order-1', 'order-1', undefined]], [['order-2', 'order-2', undefined]]],
    );
  });

  it('at the till pace a failed send fails place() and places nothing', async () => {
    const { placer, placed, failed } = placerWith({ fail: true });
    await assert.rejects(placer.place(order(1)), /broker gone/);
    assert.deepEqual(placed, []);
    assert.deepEqual(failed, [], 'the caller hears of it from place() itself');
  });

  it('batched, orders placed together share a send, each on the chosen partition', async () => {
    const { placer, sends, placed } = placerWith({ batched: true, partition: 2 });
    for (const n of [1, 2, 3]) await placer.place(order(n));
    assert.deepEqual(placed, [], 'not placed before the batch is sent');
    await placer.drain();
    assert.equal(sends.length, 1);
    assert.deepEqual(
      sends[0]?.map((m) => [m.key, m.partition]),
      [
        ['order-1', 2],
        ['order-2', 2],
        ['order-3', 2],
      ],
    );
    await tick();
    assert.deepEqual(placed, ['order-1', 'order-2', 'order-3']);
  });

  it('batched, a failed send reports every order in it as not placed', async () => {
    const { placer, placed, failed } = placerWith({ batched: true, fail: true });
    await placer.place(order(1));
    await placer.place(order(2));
    await placer.drain();
    await tick();
    assert.deepEqual(placed, []);
    assert.deepEqual(failed, ['order-1', 'order-2']);
  });
});
