// Redelivery after a crash, replayed on purpose: an order arrives on `orders` while the shared ledger says
// a preparer was mid-hand-over. The preparer must look at `orders-ready` itself: skip the order if its
// OrderReady is there, hand it over if it is not.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { producerOptions } from '@chippy/kafka';
import { cabinetKeys } from '@chippy/shop';
import { endpointsFromEnv } from './harness/endpoints.js';
import { testKafka } from './harness/kafka.js';
import { startService, type RunningService } from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';
import { readTopic } from './harness/topics.js';

const redis = new Redis(endpointsFromEnv().REDIS_URL);
const running: RunningService[] = [];
describe('redelivery after a crash', () => {
  after(async () => {
    await Promise.all(running.map((s) => s.stop('SIGKILL')));
    redis.disconnect();
    await deleteShops();
  });

  it('an order caught mid-hand-over whose OrderReady did land is not handed over again', async () => {
    const shop = isolatedShop('redeliver');
    const env = { ...shop.env, TIME_SCALE: '0' };
    running.push(startService('cook', 'redeliver-cook', [], { ...env, RESTOCK_INTERVAL: '1' }));
    const preparer = startService('preparer', 'redeliver-preparer', [], { ...env, PREPARER_ID: 'p1' });
    running.push(preparer);
    await preparer.waitForLog((e) => e.msg === 'joined the preparers');
    const till = startService('till', 'redeliver-till', ['--orders', '1'], env);
    running.push(till);
    assert.equal((await till.exited).code, 0);
    const [order] = await readTopic(shop.topics.orders, (m) => m.length >= 1);
    assert.ok(order?.key);
    await shop.ready([order.key]);

    // As if the preparer had died after the send was acknowledged but before it recorded it.
    await redis.hset(cabinetKeys(shop.prefix).order(order.key), {
      state: 'sending',
      since: String(Date.now() - 60_000),
      preparer: 'crashed',
    });
    const producer = testKafka('redeliver').producer(producerOptions());
    await producer.connect();
    await producer.send({ topic: shop.topics.orders, messages: [{ key: order.key, value: order.value }] });
    await producer.disconnect();

    const check = await preparer.waitForLog(
      (e) => e.msg === 'checked an interrupted hand-over' && e.order_id === order.key,
    );
    assert.equal(check.found, true);
    const { ready } = await shop.ready([order.key]);
    assert.equal(ready.length, 1, 'no second hand-over');
    assert.equal(await redis.hget(cabinetKeys(shop.prefix).order(order.key), 'state'), 'ready');
  });

  it('an order whose hand-over never reached Kafka is prepared on redelivery', async () => {
    const shop = isolatedShop('redeliver-lost');
    const env = { ...shop.env, TIME_SCALE: '0' };
    // The till creates the topics; the order it writes is then marked as if a preparer died mid-send.
    const preparer = startService('preparer', 'redeliver-lost-preparer', [], { ...env, PREPARER_ID: 'p2' });
    running.push(preparer);
    await preparer.waitForLog((e) => e.msg === 'joined the preparers');
    await preparer.stop('SIGTERM');

    const till = startService('till', 'redeliver-lost-till', ['--orders', '1'], env);
    running.push(till);
    assert.equal((await till.exited).code, 0);
    const [order] = await readTopic(shop.topics.orders, (m) => m.length >= 1);
    assert.ok(order?.key);
    await redis.hset(cabinetKeys(shop.prefix).order(order.key), {
      state: 'sending',
      since: String(Date.now()),
      preparer: 'crashed',
    });

    running.push(startService('cook', 'redeliver-lost-cook', [], { ...env, RESTOCK_INTERVAL: '1' }));
    const again = startService('preparer', 'redeliver-lost-preparer-2', [], { ...env, PREPARER_ID: 'p3' });
    running.push(again);
    const check = await again.waitForLog(
      (e) => e.msg === 'checked an interrupted hand-over' && e.order_id === order.key,
    );
    assert.equal(check.found, false);
    const { ready } = await shop.ready([order.key]);
    assert.equal(ready.length, 1);
    assert.equal(ready[0]?.preparer, 'p3');
  });
});
