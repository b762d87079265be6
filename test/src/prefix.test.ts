// TOPIC_PREFIX names a whole shop: two shops on one broker and one Redis share no topic, group or key.
// Each shop's cabinet holds only its own food, each order's ledger record sits under its own shop's
// prefix, and each shop's orders are all ready, once, on its own topic.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { cabinetKeys, cabinetItems, noPortions, portionsFor, type Portions } from '@chippy/shop';
import { endpointsFromEnv } from './harness/endpoints.js';
import { joinedCooks, joinedPreparers, servicesPerTest } from './harness/services.js';
import { deleteShops, duplicatesOf, isolatedShop } from './harness/shop.js';

describe('TOPIC_PREFIX', () => {
  const start = servicesPerTest();
  after(() => deleteShops());

  const toPortions = (hash: Record<string, string>): Portions => {
    const p = noPortions();
    for (const item of cabinetItems) p[item] = Number(hash[item] ?? 0);
    return p;
  };

  it('two shops on one Redis, different prefixes: no food, ledger record or order crosses', async () => {
    const shops = [isolatedShop('shop-a'), isolatedShop('shop-b')];
    const redis = new Redis(endpointsFromEnv().REDIS_URL);
    try {
      const running = shops.map((shop, i) => {
        const env = { ...shop.env, TIME_SCALE: '0' };
        return {
          shop,
          cook: start('cook', `prefix-${i}-cook`, [], env),
          preparer: start('preparer', `prefix-${i}-preparer`, [], { ...env, PREPARER_ID: `p${i}` }),
          env,
        };
      });
      await Promise.all(running.flatMap((r) => [joinedCooks(r.cook), joinedPreparers(r.preparer)]));
      // Both shops at once, with different loads, so one shop's food would show in the other's totals.
      const tills = running.map((r, i) =>
        start(
          'till',
          `prefix-${i}-till`,
          ['--orders', String(30 + 20 * i), '--rate', '20', '--plaice', 'true'],
          r.env,
        ),
      );
      for (const till of tills) assert.equal((await till.exited).code, 0);

      for (const [i, { shop }] of running.entries()) {
        const orders = await shop.orders(30 + 20 * i);
        assert.equal(orders.length, 30 + 20 * i, `shop ${i}'s orders on its own topic only`);
        const { ready } = await shop.ready(orders.map((o) => o.order_id));
        assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), []);
        assert.equal(ready.length, orders.length);

        const keys = cabinetKeys(shop.prefix);
        const read = async (key: string) => toPortions(await redis.hgetall(key));
        const [cooked, taken, left] = await Promise.all([
          read(keys.cooked),
          read(keys.taken),
          read(keys.levels),
        ]);
        const sold = noPortions();
        for (const order of orders) {
          const need = portionsFor(order.items);
          for (const item of cabinetItems) sold[item] += need[item];
        }
        assert.deepEqual(taken, sold, `shop ${i}'s cabinet gave exactly its own orders' portions`);
        for (const item of cabinetItems) {
          assert.equal(cooked[item], taken[item] + left[item], `shop ${i}: cooked = taken + left (${item})`);
        }
        for (const order of orders) {
          assert.equal(
            await redis.hget(keys.order(order.order_id), 'state'),
            'ready',
            'ledger under the prefix',
          );
          // Where the ledger used to live, shared by every shop.
          assert.equal(await redis.exists(`chippy:order:${order.order_id}`), 0);
        }
      }
    } finally {
      redis.disconnect();
    }
  });
});
