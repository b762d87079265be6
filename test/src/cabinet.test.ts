// The cook and the Redis hot cabinet (the original demo4 and homework 1), checked from Redis and the
// services' metrics rather than from what the services say about themselves.
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { producerOptions } from '@chippy/kafka';
import { cabinetItems, cabinetKeys, portionsFor, redisCabinet, type Portions } from '@chippy/shop';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { endpointsFromEnv } from './harness/endpoints.js';
import { testKafka } from './harness/kafka.js';
import { metricValue } from './harness/metrics.js';
import { TestRedisServer } from './harness/redis.js';
import { httpPortOf, joinedCooks, joinedPreparers, servicesPerTest } from './harness/services.js';
import { deleteShops, duplicatesOf, isolatedShop } from './harness/shop.js';
import { readTopic } from './harness/topics.js';

describe('the cook and the Redis cabinet', () => {
  const start = servicesPerTest();
  const servers: TestRedisServer[] = [];
  after(() => deleteShops());
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  const joined = joinedPreparers;
  const cookJoined = joinedCooks;
  const hashToPortions = (h: Record<string, string>): Portions => ({
    cod: Number(h.cod ?? 0),
    chips: Number(h.chips ?? 0),
    plaice: Number(h.plaice ?? 0),
  });

  it('four preparers share the cabinet: every order ready once, nothing negative, cooked = taken + left', async () => {
    const shop = isolatedShop('cabinet');
    const env = { ...shop.env, TIME_SCALE: '0' };
    const keys = cabinetKeys(shop.prefix);
    const redis = new Redis(endpointsFromEnv().REDIS_URL);
    try {
      const cook = start('cook', 'cabinet-cook', [], { ...env, COOK_ID: 'cook-1', RESTOCK_INTERVAL: '1' });
      const preparers = [1, 2, 3, 4].map((i) =>
        start('preparer', `cabinet-preparer-${i}`, [], { ...env, PREPARER_ID: `preparer-${i}` }),
      );
      await Promise.all([cookJoined(cook), ...preparers.map(joined)]);

      // Watch the cabinet while the shop runs: the all-or-nothing take must never drive a level below zero.
      const lowest: Portions = { cod: 0, chips: 0, plaice: 0 };
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const levels = hashToPortions(await redis.hgetall(keys.levels));
          for (const item of cabinetItems) lowest[item] = Math.min(lowest[item], levels[item]);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();

      const tills = [1, 2, 3].map((i) =>
        start('till', `cabinet-till-${i}`, ['--orders', '50', '--plaice', '--till-id', `till-${i}`], env),
      );
      for (const till of tills) assert.equal((await till.exited).code, 0);
      const orders = await shop.orders(150);
      const { ready } = await shop.ready(orders.map((o) => o.order_id));
      watching = false;
      await watcher;

      assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), [], 'no order handed over twice');
      assert.equal(new Set(ready.map((r) => r.order_id)).size, 150);
      const plaiceOrders = ready.filter((r) => r.items.includes('plaice & chips'));
      assert.ok(plaiceOrders.length > 0, 'some orders had plaice');
      // Plaice is only ever cooked to order, so plaice orders go round the cook (one may take a portion fried
      // for another order, which then asks again).
      assert.ok(
        plaiceOrders.some((r) => r.cooked),
        'plaice orders round-trip through the cook',
      );

      assert.deepEqual(lowest, { cod: 0, chips: 0, plaice: 0 }, 'no level ever below zero');
      const read = async (key: string) => hashToPortions(await redis.hgetall(key));
      const [cooked, taken, left] = [
        await read(keys.cooked),
        await read(keys.taken),
        await read(keys.levels),
      ];
      const sold = orders.reduce(
        (sum, o) => {
          const p = portionsFor(o.items);
          return { cod: sum.cod + p.cod, chips: sum.chips + p.chips, plaice: sum.plaice + p.plaice };
        },
        { cod: 0, chips: 0, plaice: 0 },
      );
      assert.deepEqual(taken, sold, 'portions taken are exactly what the orders needed');
      for (const item of cabinetItems) {
        assert.equal(cooked[item], taken[item] + left[item], `${item}: cooked = taken + left`);
        assert.equal(
          await metricValue(await httpPortOf(cook), 'chippy_cook_portions_total', { item }),
          cooked[item],
          `${item}: the cook's metric agrees with Redis`,
        );
      }
      assert.equal(left.plaice, 0, 'plaice is cooked exactly to order');
    } finally {
      redis.disconnect();
    }
  });

  it('the take script on real Redis: all or nothing, once per order, and the ledger in the same step', async () => {
    const prefix = `take-${randomUUID().slice(0, 8)}-`;
    const keys = cabinetKeys(prefix);
    const redis = new Redis(endpointsFromEnv().REDIS_URL);
    const cabinet = redisCabinet(redis, prefix);
    const ids = ['a', 'b', 'c'].map((n) => `${prefix}${n}`);
    const record = (id: string) => redis.hgetall(keys.order(id));
    const claim = (since: number, preparer = 'p1') => ({
      mode: 'claim' as const,
      since,
      preparer,
      leaseMs: 5,
    });
    const one = { cod: 1, chips: 1, plaice: 0 };
    try {
      await cabinet.add({ cod: 1, chips: 3 });
      assert.deepEqual(await cabinet.take(ids[0]!, { cod: 2, chips: 1, plaice: 0 }, claim(10)), {
        outcome: 'short',
        short: { cod: 1 },
      });
      assert.deepEqual(await record(ids[0]!), {}, 'short: nothing taken, nothing claimed');
      assert.deepEqual(await cabinet.levels(), { cod: 1, chips: 3, plaice: 0 });

      assert.deepEqual(await cabinet.take(ids[1]!, one, claim(20)), { outcome: 'taken' });
      assert.deepEqual(await record(ids[1]!), { taken: '1', state: 'sending', since: '20', preparer: 'p1' });
      assert.ok((await redis.ttl(keys.order(ids[1]!))) > 6 * 24 * 3600, 'the record expires in a week');
      // Redelivered while the claim holds (20 + 5 > 24): nothing of the batch is taken, not even a fresh order.
      assert.deepEqual(
        await cabinet.takeMany(
          [
            { orderId: ids[2]!, portions: one },
            { orderId: ids[1]!, portions: one },
          ],
          claim(24, 'p2'),
        ),
        [{ outcome: 'deferred' }, { outcome: 'held', until: 25 }],
      );
      assert.deepEqual(await record(ids[2]!), {}, 'deferred: nothing taken, nothing claimed');
      // Redelivered once the claim has lapsed: reported with when the hand-over began, nothing taken again.
      assert.deepEqual(await cabinet.take(ids[1]!, one, claim(30, 'p2')), {
        outcome: 'interrupted',
        since: 20,
      });
      // Claimed anew, all or none, only as the take found it: a stale claim is refused and changes nothing.
      assert.equal(await cabinet.reclaim([{ orderId: ids[1]!, since: 19 }], 31, 'p3'), false);
      assert.equal(await cabinet.reclaim([{ orderId: ids[1]!, since: 20 }], 31, 'p2'), true);
      assert.deepEqual(await record(ids[1]!), { taken: '1', state: 'sending', since: '31', preparer: 'p2' });
      assert.equal(
        await cabinet.reclaim([{ orderId: ids[1]!, since: 20 }], 32, 'p3'),
        false,
        'p2 has it now',
      );
      await cabinet.markHandedOver(ids[1]!);
      assert.deepEqual(await cabinet.take(ids[1]!, one, claim(40)), { outcome: 'handed-over' });
      assert.deepEqual(await cabinet.take(ids[1]!, one, { mode: 'check' }), { outcome: 'handed-over' });
      assert.deepEqual(await cabinet.take(ids[1]!, one), { outcome: 'already' }, 'no ledger: only the take');
      assert.deepEqual(await cabinet.levels(), { cod: 0, chips: 2, plaice: 0 }, 'taken once');

      // check (exactly-once): the take happens once, and the order is never marked "sending".
      await cabinet.add({ cod: 1 });
      assert.deepEqual(await cabinet.take(ids[2]!, one, { mode: 'check' }), { outcome: 'taken' });
      assert.deepEqual(await cabinet.take(ids[2]!, one, { mode: 'check' }), { outcome: 'already' });
      assert.deepEqual(await record(ids[2]!), { taken: '1' });
      const totals = await cabinet.totals();
      assert.deepEqual(totals.taken, { cod: 2, chips: 2, plaice: 0 });
      assert.deepEqual(totals.cooked, { cod: 2, chips: 3, plaice: 0 }, 'cooked = taken + left');
    } finally {
      await redis.del(keys.levels, keys.cooked, keys.taken, ...ids.map((id) => keys.order(id)));
      redis.disconnect();
    }
  });

  it("the cook's periodic restock tops up an empty cabinet to the targets", async () => {
    const shop = isolatedShop('restock');
    const redis = new Redis(endpointsFromEnv().REDIS_URL);
    try {
      const cook = start(
        'cook',
        'restock-cook',
        ['--restock-interval', '0.5', '--target-cod', '7', '--target-chips', '9'],
        { ...shop.env, TIME_SCALE: '0' },
      );
      const restocked = await cook.waitForLog((e) => e.msg === 'restocked', 20_000);
      assert.ok(restocked);
      assert.deepEqual(hashToPortions(await redis.hgetall(cabinetKeys(shop.prefix).levels)), {
        cod: 7,
        chips: 9,
        plaice: 0,
      });
      assert.ok((await metricValue(await httpPortOf(cook), 'chippy_cook_batches_total')) >= 2);

      const stopped = await cook.stop('SIGTERM');
      assert.equal(stopped.code, 0);
      const waste = cook.logs().find((e) => e.msg === 'end of day: waste');
      assert.deepEqual(
        waste?.waste,
        { cod: 7, chips: 9, plaice: 0 },
        'what is left at close is reported as waste',
      );
    } finally {
      redis.disconnect();
    }
  });

  it('Redis restarted mid-run (its contents lost): services reconnect and every order is ready exactly once', async () => {
    const shop = isolatedShop('redis-restart');
    const server = new TestRedisServer(6391);
    servers.push(server);
    await server.start();
    const env = { ...shop.env, TIME_SCALE: '0.01', REDIS_URL: server.url };
    const cook = start('cook', 'redis-restart-cook', [], { ...env, RESTOCK_INTERVAL: '1' });
    const preparers = [1, 2].map((i) =>
      start('preparer', `redis-restart-preparer-${i}`, [], { ...env, PREPARER_ID: `preparer-${i}` }),
    );
    await Promise.all([cookJoined(cook), ...preparers.map(joined)]);
    const tills = [1, 2].map((i) =>
      start('till', `redis-restart-till-${i}`, ['--orders', '60', '--rate', '20', '--plaice'], env),
    );

    let seen = 0;
    await preparers[0]!.waitForLog((e) => e.msg === 'order ready' && ++seen >= 10);
    await server.stop();
    await new Promise((r) => setTimeout(r, 2000));
    await server.start();

    for (const till of tills) assert.equal((await till.exited).code, 0);
    const orders = await shop.orders(120);
    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), []);
    assert.equal(new Set(ready.map((r) => r.order_id)).size, 120);
    assert.ok(
      preparers[0]!.logs().some((e) => e.msg === 'Redis unreachable, retrying'),
      'the outage was logged',
    );
  });

  it('a malformed CookRequest goes to orders-dlq and the cook carries on', async () => {
    const shop = isolatedShop('cook-dlq');
    const env = { ...shop.env, TIME_SCALE: '0' };
    const cook = start('cook', 'cook-dlq-cook', [], env);
    await cookJoined(cook);
    const producer = testKafka('cook-dlq').producer(producerOptions());
    await producer.connect();
    await producer.send({
      topic: shop.topics.cookRequests,
      messages: [{ key: 'bad', value: Buffer.from([0, 0, 0, 0, 0, 1, 2, 3]) }],
    });
    await producer.disconnect();

    const [parked] = await readTopic(shop.topics.ordersDlq, (m) => m.length >= 1);
    assert.equal(parked?.key, 'bad');
    assert.equal(parked?.headers['dlq.topic']?.toString(), shop.topics.cookRequests);
    assert.equal(parked?.headers['dlq.service']?.toString(), 'cook');
    assert.match(parked?.headers['dlq.reason']?.toString() ?? '', /unknown-schema-id|avro-decode-failed/);

    // Still working: a plaice order goes round through it.
    start('preparer', 'cook-dlq-preparer', [], env);
    const till = start('till', 'cook-dlq-till', ['--orders', '6', '--plaice'], env);
    assert.equal((await till.exited).code, 0);
    const orders = await shop.orders(6);
    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    assert.equal(new Set(ready.map((r) => r.order_id)).size, 6);
  });

  it('Redis unreachable at start-up: clear log lines while retrying, not ready, no crash; ready once it answers', async () => {
    const shop = isolatedShop('no-redis');
    const server = new TestRedisServer(6392);
    servers.push(server);
    const env = { ...shop.env, TIME_SCALE: '0', REDIS_URL: server.url };
    const cook = start('cook', 'no-redis-cook', [], env);
    const preparer = start('preparer', 'no-redis-preparer', [], env);
    for (const s of [cook, preparer]) {
      let retries = 0;
      await s.waitForLog((e) => e.msg === 'Redis unreachable, retrying' && ++retries >= 3, 30_000);
      const res = await fetch(`http://127.0.0.1:${await httpPortOf(s)}/readyz`);
      assert.equal(res.status, 503, `${s.name} not ready`);
      assert.equal(s.process.exitCode, null, `${s.name} still running`);
    }
    await server.start();
    for (const s of [cook, preparer]) {
      const port = await httpPortOf(s);
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
        if (!ready) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(ready, `${s.name} ready once Redis answers`);
    }
  });
});
