import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { CookRequest, Portions } from '@chippy/shop';
import type { StockPolicy } from './stock-policy.js';
import { fakeCabinet } from './testing/cabinet.js';
import { KitchenClosed, openKitchen, type Fried, type Kitchen } from './kitchen.js';

const policy: StockPolicy = {
  standard: { cod: 10, chips: 20 },
  minLowWater: { cod: 3, chips: 6 },
  capacity: 60,
  fryMaxSeconds: 0,
  lookSeconds: 0.01,
};
const portions = (cod: number, chips: number, plaice = 0): Portions => ({ cod, chips, plaice });

function request(n: number, short: Record<string, number>, attempt = 1): CookRequest {
  return {
    order: {
      order_id: `00000000-0000-4000-8000-00000000000${n}`,
      till: 'till-1',
      count: n,
      order_time: 1_000,
      items: ['cod & chips', 'plaice & chips'],
    },
    short,
    preparer: 'p1',
    prepare_started: 1_500,
    attempt,
  };
}
const ticket = (r: CookRequest) => ({ request: r, need: portions(1, 2, 1) });

const open: Kitchen[] = [];
describe('the kitchen', () => {
  afterEach(async () => {
    await Promise.all(open.splice(0).map((k) => k.close()));
  });

  function kitchen(initial: Partial<Portions>, serve?: (fried: Fried) => Promise<void>) {
    const cabinet = fakeCabinet(initial);
    const served: Fried[] = [];
    const errors: unknown[] = [];
    const k = openKitchen({
      cabinet,
      policy,
      timeScale: 0,
      serve: serve ?? ((fried) => Promise.resolve(void served.push(fried))),
      onError: (error) => void errors.push(error),
    });
    open.push(k);
    return { k, cabinet, served, errors };
  }

  it('an empty cabinet is stocked to the standard levels without any request', async () => {
    const { cabinet, served } = kitchen({});
    while (served.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(served[0]!.batch, portions(10, 20));
    assert.deepEqual(served[0]!.answered, []);
    assert.deepEqual(cabinet.now, portions(10, 20));
  });

  it('requests that arrive together are answered by one batch, plaice exactly to order', async () => {
    const { k, cabinet, served } = kitchen({ cod: 10, chips: 20 });
    const requests = [request(1, { plaice: 1 }), request(2, { plaice: 1 }), request(3, { plaice: 1 })];
    await k.submit(requests.map(ticket));
    assert.equal(served.length, 1, 'one batch');
    assert.deepEqual(served[0]!.answered, requests);
    assert.equal(served[0]!.batch.plaice, 3);
    // The three orders will take 3 cod and 6 chips: the batch tops the rest up to the standard levels.
    assert.deepEqual(served[0]!.batch, portions(3, 6, 3));
    assert.deepEqual(cabinet.now, portions(13, 26, 3));
  });

  it("a redelivered request's plaice is not added twice", async () => {
    const { k, cabinet, served } = kitchen({ cod: 10, chips: 20 });
    await k.submit([ticket(request(1, { plaice: 1 }))]);
    cabinet.take({ plaice: 1, cod: 1, chips: 2 });
    await k.submit([ticket(request(1, { plaice: 1 }))]);
    assert.deepEqual(
      served.map((f) => f.fresh),
      [[true], [false]],
    );
    assert.equal(cabinet.now.plaice, 0, 'the second delivery added none');
  });

  it('a request the cabinet already covers is answered at once, without frying', async () => {
    const { k, served } = kitchen({ cod: 10, chips: 20, plaice: 1 });
    await k.submit([{ request: request(1, { cod: 1 }), need: portions(1, 1) }]);
    assert.deepEqual(served[0]!.batch, portions(0, 0));
  });

  it('a failed send fails its requests (so they are redelivered), and the kitchen carries on', async () => {
    let fail = true;
    const served: Fried[] = [];
    const { k, errors } = kitchen({ cod: 10, chips: 20 }, (fried) => {
      if (fail) return Promise.reject(new Error('broker gone'));
      served.push(fried);
      return Promise.resolve();
    });
    await assert.rejects(k.submit([ticket(request(1, { plaice: 1 }))]), /broker gone/);
    assert.equal(errors.length, 1);
    fail = false;
    await k.submit([ticket(request(1, { plaice: 1 }))]);
    assert.deepEqual(served[0]!.fresh, [false], 'the plaice went in the first time');
  });

  it('closing rejects what has not reached the fryer, and takes no more', async () => {
    const { k } = kitchen({ cod: 10, chips: 20 }, () => new Promise((r) => setTimeout(r, 50)));
    const first = k.submit([ticket(request(1, { plaice: 1 }))]);
    await new Promise((r) => setTimeout(r, 10));
    const second = k.submit([ticket(request(2, { plaice: 1 }))]);
    await k.close();
    await first;
    await assert.rejects(second, KitchenClosed);
    await assert.rejects(k.submit([ticket(request(3, { plaice: 1 }))]), KitchenClosed);
  });

  it('while Redis is away the kitchen looks again less and less often, not at every look', async () => {
    const errors: unknown[] = [];
    const k = openKitchen({
      cabinet: { totals: () => Promise.reject(new Error('Redis away')), add: () => Promise.resolve([]) },
      policy,
      timeScale: 0,
      serve: () => Promise.resolve(),
      onError: (error) => void errors.push(error),
    });
    open.push(k);
    await new Promise((r) => setTimeout(r, 300));
    // Looking every 10 ms would fail 30 times; waits of 20, 40, 80, 160 ms allow at most 5.
    assert.ok(errors.length >= 2 && errors.length <= 5, `failed turns: ${errors.length}`);
  });

  it('a forged request claiming 2³¹−1 plaice gets only what its order takes', async () => {
    const { k, cabinet, served } = kitchen({ cod: 10, chips: 20 });
    await k.submit([ticket(request(1, { plaice: 2 ** 31 - 1 }))]);
    assert.equal(served[0]!.batch.plaice, 1, 'one plaice & chips, one plaice');
    assert.equal(cabinet.now.plaice, 1);
    assert.ok(served[0]!.batch.cod + served[0]!.batch.chips + 1 <= policy.capacity);
  });
});
