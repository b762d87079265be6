// The original demos 1–3 as tests: tills put orders on `orders`, the consumer group "preparers" prepares
// each one exactly once and hands it over on `orders-ready`.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { producerOptions } from '@chippy/kafka';
import { joinedPreparers, servicesPerTest } from './harness/services.js';
import { deleteShops, duplicatesOf, isolatedShop } from './harness/shop.js';

describe('the shop (demos 1–3)', () => {
  // Each test's services are stopped when it ends, so no preparer outlives its test.
  const start = servicesPerTest();
  after(() => deleteShops());

  const joined = joinedPreparers;
  const fast = { TIME_SCALE: '0' };
  /** Preparers take portions from the hot cabinet, so every shop has a cook keeping it stocked. */
  const startCook = (name: string, env: NodeJS.ProcessEnv) =>
    start('cook', `${name}-cook`, [], { ...env, RESTOCK_INTERVAL: '1' });

  it('3 tills and 2 preparers: every order is ready exactly once, and both preparers work', async () => {
    const shop = isolatedShop('demo3');
    const env = { ...shop.env, ...fast };
    startCook('demo3', env);
    const preparers = [1, 2].map((i) =>
      start('preparer', `demo3-preparer-${i}`, [], { ...env, PREPARER_ID: `preparer-${i}` }),
    );
    await Promise.all(preparers.map(joined));
    const tills = [1, 2, 3].map((i) =>
      start('till', `demo3-till-${i}`, ['--orders', '40', '--till-id', `till-${i}`], env),
    );
    for (const till of tills)
      assert.deepEqual(await till.exited, { code: 0, signal: null }, `${till.name} exit`);

    const orders = await shop.orders(120);
    assert.equal(orders.length, 120, 'orders on the orders topic');
    assert.deepEqual(new Set(orders.map((o) => o.till)), new Set(['till-1', 'till-2', 'till-3']));
    const { ready } = await shop.ready(orders.map((o) => o.order_id));

    assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), [], 'no order handed over twice');
    assert.deepEqual(new Set(ready.map((r) => r.order_id)), new Set(orders.map((o) => o.order_id)));
    assert.deepEqual(
      new Set(ready.map((r) => r.preparer)),
      new Set(['preparer-1', 'preparer-2']),
      'both preparers did work',
    );
    for (const r of ready) {
      // OrderReady carries the order's own fields (not its payment, which only PostgreSQL keeps).
      const { payment: _payment, ...order } = orders.find((o) => o.order_id === r.order_id)!;
      assert.deepEqual(order, {
        order_id: r.order_id,
        till: r.till,
        count: r.count,
        order_time: r.order_time,
        items: r.items,
      });
      assert.ok(r.ready_time >= r.prepare_started && r.prepare_started >= r.order_time - 1000);
    }
  });

  it('a preparer killed with SIGKILL mid-run and a new one started: still every order exactly once', async () => {
    const shop = isolatedShop('kill');
    // A little preparing time so the kill lands while orders are in hand.
    const env = { ...shop.env, TIME_SCALE: '0.02' };
    startCook('kill', env);
    const first = start('preparer', 'kill-preparer-1', [], { ...env, PREPARER_ID: 'preparer-1' });
    const second = start('preparer', 'kill-preparer-2', [], { ...env, PREPARER_ID: 'preparer-2' });
    await Promise.all([joined(first), joined(second)]);
    const tills = [1, 2, 3].map((i) =>
      start('till', `kill-till-${i}`, ['--orders', '100', '--rate', '40', '--till-id', `till-${i}`], env),
    );

    let readyCount = 0;
    await first.waitForLog((e) => e.msg === 'order ready' && ++readyCount >= 15);
    first.process.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    start('preparer', 'kill-preparer-3', [], { ...env, PREPARER_ID: 'preparer-3' });
    for (const till of tills) assert.equal((await till.exited).code, 0);

    const orders = await shop.orders(300);
    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), [], 'no order handed over twice');
    assert.equal(new Set(ready.map((r) => r.order_id)).size, 300, 'every order handed over');
    assert.ok(
      ready.some((r) => r.preparer === 'preparer-3'),
      'the new preparer took over work',
    );
  });

  it('a garbage message goes to orders-dlq with its reason, and the orders after it are prepared', async () => {
    const shop = isolatedShop('dlq');
    const env = { ...shop.env, ...fast };
    const till = start('till', 'dlq-till-1', ['--orders', '1'], env);
    assert.equal((await till.exited).code, 0); // creates the topic and one good order before the garbage

    const { testKafka } = await import('./harness/kafka.js');
    const producer = testKafka('dlq-test').producer(producerOptions());
    await producer.connect();
    const garbage = Buffer.from('definitely not an order');
    await producer.send({ topic: shop.topics.orders, messages: [{ key: 'garbage-1', value: garbage }] });
    await producer.disconnect();

    startCook('dlq', env);
    start('preparer', 'dlq-preparer', [], env);
    const later = start('till', 'dlq-till-2', ['--orders', '5'], env);
    assert.equal((await later.exited).code, 0);

    const orders = await shop.orders(6);
    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    assert.equal(
      new Set(ready.map((r) => r.order_id)).size,
      6,
      'the good orders around the garbage are prepared',
    );

    const { readTopic } = await import('./harness/topics.js');
    const [parked] = await readTopic(shop.topics.ordersDlq, (m) => m.length >= 1);
    assert.equal(parked?.key, 'garbage-1');
    assert.deepEqual(parked?.value, garbage, 'the original bytes are kept');
    assert.equal(parked?.headers['dlq.topic']?.toString(), shop.topics.orders);
    assert.equal(parked?.headers['dlq.reason']?.toString(), 'bad-magic-byte');
    assert.match(parked?.headers['dlq.error']?.toString() ?? '', /./);
  });

  it('a till writing JSON with an embedded schema (ORDER_FORMAT=json) is prepared too', async () => {
    const shop = isolatedShop('json');
    const env = { ...shop.env, ...fast };
    startCook('json', env);
    start('preparer', 'json-preparer', [], env);
    const till = start('till', 'json-till', ['--orders', '10'], { ...env, ORDER_FORMAT: 'json' });
    assert.equal((await till.exited).code, 0);

    const { readTopic } = await import('./harness/topics.js');
    const raw = await readTopic(shop.topics.orders, (m) => m.length >= 10);
    const first = JSON.parse(raw[0]!.value!.toString()) as {
      schema: { type: string };
      payload: { order_id: string };
    };
    assert.equal(first.schema.type, 'struct', 'Kafka Connect schema envelope');
    const ids = raw.map((m) => (JSON.parse(m.value!.toString()) as typeof first).payload.order_id);
    const { ready } = await shop.ready(ids);
    assert.equal(new Set(ready.map((r) => r.order_id)).size, 10);
  });

  it('bad flags: exit code 2 and one line naming the setting', async () => {
    for (const [service, args, named] of [
      ['till', ['--orders', '-1'], 'TILL_ORDERS (--orders)'],
      ['till', ['--time-scale', 'fast'], 'TIME_SCALE (--time-scale)'],
      ['till', ['-k', 'no-port-here'], 'KAFKA_SERVICE_URI (--kafka-uri)'],
      ['preparer', ['--concurrency', '0'], 'PREPARER_CONCURRENCY (--concurrency)'],
      ['preparer', ['--order-format', 'xml'], 'ORDER_FORMAT (--order-format)'],
    ] as const) {
      const s = start(service, `flags-${service}`, [...args]);
      assert.equal((await s.exited).code, 2, `${service} ${args.join(' ')}`);
      assert.equal(s.lines.length, 1, `one line: ${s.lines.join(' / ')}`);
      assert.ok(s.lines[0]!.includes(named), s.lines[0]);
    }
  });
});
