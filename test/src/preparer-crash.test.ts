// The batched path's crash points. A preparer draining a backlog (TIME_SCALE=0) prepares a fetched batch
// in steps: one Redis step takes every order's portions and claims it, one produce call sends the batch,
// then the orders are recorded ready and the offsets committed. SIGKILL at either gap — after the Redis
// step before the send, after the send before the commit — must still leave every order ready exactly
// once and the cabinet balanced (cooked = taken + left). PREPARER_FAULT makes the preparer kill itself at
// exactly that point of its first batch, which an outside kill could only hit by luck.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { cabinetItems, cabinetKeys, noPortions, redisCabinet } from '@chippy/shop';
import { endpointsFromEnv } from './harness/endpoints.js';
import { joinedPreparers, servicesPerTest, type RunningService } from './harness/services.js';
import { deleteShops, duplicatesOf, isolatedShop } from './harness/shop.js';

describe("the batched path's crash points", () => {
  const start = servicesPerTest();
  const redis = new Redis(endpointsFromEnv().REDIS_URL);
  after(async () => {
    redis.disconnect();
    await deleteShops();
  });

  it('the batch take on real Redis: served in order, each order all or nothing, the ledger per order', async () => {
    const prefix = `take-many-${randomUUID().slice(0, 8)}-`;
    const keys = cabinetKeys(prefix);
    const cabinet = redisCabinet(redis, prefix);
    const id = (n: string) => `${prefix}${n}`;
    const one = { cod: 1, chips: 1, plaice: 0 };
    const claim = { mode: 'claim' as const, since: 50, preparer: 'p1', leaseMs: 5 };
    try {
      await cabinet.add({ cod: 2, chips: 5 });
      await cabinet.take(id('done'), one, claim);
      await cabinet.markHandedOver(id('done'));
      await redis.hset(keys.order(id('cut')), { taken: '1', state: 'sending', since: '40', preparer: 'p0' });
      const results = await cabinet.takeMany(
        [
          { orderId: id('a'), portions: one },
          { orderId: id('done'), portions: one },
          { orderId: id('cut'), portions: one },
          { orderId: id('b'), portions: { cod: 0, chips: 4, plaice: 0 } },
          { orderId: id('c'), portions: one },
          { orderId: id('d'), portions: { cod: 0, chips: 1, plaice: 0 } },
        ],
        claim,
      );
      assert.deepEqual(results, [
        { outcome: 'taken' },
        { outcome: 'handed-over' },
        { outcome: 'interrupted', since: 40 },
        { outcome: 'short', short: { chips: 1 } },
        { outcome: 'short', short: { cod: 1 } },
        { outcome: 'taken' },
      ]);
      assert.deepEqual(await cabinet.levels(), { cod: 0, chips: 2, plaice: 0 }, 'a and d only');
      const totals = await cabinet.totals();
      assert.deepEqual(totals.taken, { cod: 2, chips: 3, plaice: 0 }, 'done, a and d');
      assert.equal(await redis.hget(keys.order(id('a')), 'state'), 'sending');
      assert.equal(await redis.exists(keys.order(id('b'))), 0, 'short: nothing taken, nothing claimed');
      await cabinet.markHandedOver(id('a'), id('d'));
      assert.deepEqual(
        await cabinet.takeMany(
          [id('a'), id('d')].map((orderId) => ({ orderId, portions: one })),
          claim,
        ),
        [{ outcome: 'handed-over' }, { outcome: 'handed-over' }],
      );
    } finally {
      const written = await redis.keys(`${prefix}*`);
      if (written.length > 0) await redis.del(...written);
    }
  });

  const orderCount = 400;

  async function lastWords(service: RunningService, msg: string) {
    for (let i = 0; i < 40; i++) {
      const entry = service.logs().find((e) => e.msg === msg);
      if (entry) return entry;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  }

  for (const { fault, delivery, found } of [
    { fault: 'after-take', delivery: 'at-least-once', found: false },
    { fault: 'after-send', delivery: 'at-least-once', found: true },
    { fault: 'after-send', delivery: 'exactly-once', found: undefined },
  ] as const) {
    it(
      `${delivery}: a preparer SIGKILLed mid-batch ${fault.replace('-', ' ')}: every order ready exactly once, cooked = taken + left`,
      { timeout: 240_000 },
      async () => {
        const name = `crash-${fault}-${delivery === 'exactly-once' ? 'eos' : 'alo'}`;
        const shop = isolatedShop(name);
        const env = { ...shop.env, TIME_SCALE: '0', DELIVERY: delivery };
        start('cook', `${name}-cook`, [], { ...env, RESTOCK_INTERVAL: '0.5' });
        const till = start(
          'till',
          `${name}-till`,
          ['--orders', String(orderCount), '--rate', '500', '--plaice'],
          env,
        );
        assert.equal((await till.exited).code, 0);
        const orders = await shop.orders(orderCount);

        const doomed = start('preparer', `${name}-p1`, [], {
          ...env,
          PREPARER_ID: 'p1',
          PREPARER_FAULT: fault,
        });
        assert.equal((await doomed.exited).signal, 'SIGKILL');
        // Its last lines may still be in the pipe when the exit is seen.
        const killedAt = await lastWords(doomed, 'PREPARER_FAULT: killing this preparer mid-batch');
        assert.ok(killedAt, 'killed by its fault setting, mid-batch');
        assert.ok(Number(killedAt.batch) >= 2);

        // The successor joins once the dead member's session has timed out, and gets the batch again.
        const successor = start('preparer', `${name}-p2`, [], { ...env, PREPARER_ID: 'p2' });
        await joinedPreparers(successor);
        const { ready } = await shop.ready(orders.map((o) => o.order_id));
        assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), [], 'no order handed over twice');
        assert.equal(new Set(ready.map((r) => r.order_id)).size, orderCount, 'every order handed over');

        const checks = successor.logs().filter((e) => e.msg === 'checked an interrupted hand-over');
        if (found === undefined) {
          // Exactly once claims nothing in Redis: the open transaction was aborted when p2 took the
          // partition's transactional id over, and the orders were prepared again with no lookup.
          assert.equal(checks.length, 0);
        } else {
          assert.ok(checks.length >= 2, 'the killed batch was redelivered with its orders claimed');
          assert.ok(
            checks.every((e) => e.found === found),
            found ? 'its OrderReady messages were found in Kafka' : 'none of them had reached Kafka',
          );
        }

        const { cooked, taken, levels } = await redisCabinet(redis, shop.prefix).totals();
        const left = noPortions();
        for (const item of cabinetItems) {
          left[item] = cooked[item] - taken[item];
          assert.ok(levels[item] >= 0, `${item} never below zero`);
        }
        assert.deepEqual(levels, left, 'cooked = taken + left');
        assert.ok(taken.cod + taken.chips > 0);
      },
    );
  }
});
