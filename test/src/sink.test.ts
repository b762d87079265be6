// demo5 and demo6: Kafka Connect's JDBC sink — not project code — copies the tills' orders into
// PostgreSQL, from JSON with an embedded schema and from Avro through the registry.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { producerOptions } from '@chippy/kafka';
import type { Order } from '@chippy/shop';
import {
  dropDatabases,
  isolatedDatabase,
  privatePostgres,
  query,
  rowsWhen,
  type OrderRow,
} from './harness/database.js';
import { testKafka } from './harness/kafka.js';
import { servicesPerTest } from './harness/services.js';
import { lateRegistry, readToEnd } from './harness/faults.js';
import { deleteShops, isolatedShop } from './harness/shop.js';
import { deleteSinks, deploySink, sinkCaughtUp, watchSink } from './harness/sink.js';
import { readTopic } from './harness/topics.js';

describe('the JDBC sink', () => {
  const start = servicesPerTest();
  after(async () => {
    await deleteSinks();
    await deleteShops();
    await dropDatabases();
  });

  const asRow = (o: Order) => ({
    order_id: o.order_id,
    till: o.till,
    count: o.count,
    order_time: o.order_time,
    items: o.items,
    payment: o.payment ?? null,
  });
  const byId = <T extends { order_id: string }>(xs: T[]) => new Map(xs.map((x) => [x.order_id, x] as const));
  const fromRow = (r: OrderRow) => ({ ...r, order_time: r.order_time.getTime() });

  for (const format of ['avro', 'json'] as const) {
    it(`${format}: the orders from two tills are rows in PostgreSQL, once each, even after a replay`, async () => {
      const shop = isolatedShop(`sink-${format}`);
      const db = await isolatedDatabase(`sink_${format}`);
      const sink = await deploySink(shop.prefix, db.url, format);
      const env = { ...shop.env, TIME_SCALE: '0', ORDER_FORMAT: format };
      const tills = [1, 2].map((i) =>
        start(
          'till',
          `sink-${format}-till-${i}`,
          ['--orders', '25', '--till-id', `till-${i}`, '--plaice'],
          env,
        ),
      );
      for (const till of tills) assert.deepEqual(await till.exited, { code: 0, signal: null });

      const orders = await shop.orders(50);
      assert.equal(orders.length, 50, 'orders on the topic');
      const rows = await rowsWhen(db.url, 50);
      assert.equal(rows.length, 50, 'rows in PostgreSQL');
      assert.deepEqual(
        byId(rows.map(fromRow)),
        byId(orders.map(asRow)),
        'each row is its order, field by field',
      );

      // Tamper with the table, then replay the topic from the start: the upsert puts every row back as the
      // order says, and adds none.
      const [changed, removed] = orders;
      await query(db.url, `update "orders" set "till" = 'tampered' where "order_id" = $1`, [
        changed!.order_id,
      ]);
      await query(db.url, 'delete from "orders" where "order_id" = $1', [removed!.order_id]);
      await sink.api.resetOffsets(sink.name);
      await sinkCaughtUp(sink.group, shop.topics.orders);
      const replayed = await rowsWhen(db.url, 50);
      assert.equal(replayed.length, 50, 'still one row per order after the replay');
      assert.deepEqual(byId(replayed.map(fromRow)), byId(orders.map(asRow)), 'the replay restored the rows');
    });
  }

  it('a malformed record goes to the sink dead-letter topic with the reason; the connector keeps RUNNING', async () => {
    const shop = isolatedShop('sink-bad');
    const db = await isolatedDatabase('sink_bad');
    const env = { ...shop.env, TIME_SCALE: '0' };
    // The tills create the topic; the garbage lands between two runs of good orders.
    const first = start('till', 'sink-bad-till-1', ['--orders', '5'], env);
    assert.equal((await first.exited).code, 0);
    const sink = await deploySink(shop.prefix, db.url, 'avro');
    const producer = testKafka('test-garbage').producer(producerOptions());
    await producer.connect();
    await producer.send({
      topic: shop.topics.orders,
      messages: [
        { key: 'garbage-1', value: Buffer.from('not an order at all') },
        { key: 'garbage-2', value: Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3]) },
      ],
    });
    await producer.disconnect();
    const second = start('till', 'sink-bad-till-2', ['--orders', '5'], env);
    assert.equal((await second.exited).code, 0);

    const dead = await readTopic(sink.dlqTopic, (m) => m.length >= 2);
    assert.deepEqual(dead.map((m) => m.key).sort(), ['garbage-1', 'garbage-2']);
    for (const m of dead) {
      assert.equal(m.headers['__connect.errors.topic']?.toString(), shop.topics.orders);
      assert.ok(m.headers['__connect.errors.exception.message']?.toString(), 'the reason is in a header');
    }
    assert.equal((await rowsWhen(db.url, 10)).length, 10, 'the good orders on either side are rows');
    const status = await sink.api.status(sink.name);
    assert.equal(status?.connector.state, 'RUNNING');
    assert.deepEqual(
      status?.tasks.map((t) => t.state),
      ['RUNNING'],
    );
  });

  it('the schema registry away when the sink meets its first orders: they wait, then are rows, none dead-lettered', async () => {
    const shop = isolatedShop('sink-registry');
    const db = await isolatedDatabase('sink_registry');
    // The worker's converter reaches the registry through an address with nothing behind it until open();
    // the tills use the real registry, so their orders are on the topic meanwhile.
    const registry = await lateRegistry();
    try {
      const sink = await deploySink(
        shop.prefix,
        db.url,
        'avro',
        `http://127.0.0.1:${registry.port}/apis/registry/v2`,
      );
      const till = start('till', 'sink-registry-till', ['--orders', '5'], { ...shop.env, TIME_SCALE: '0' });
      assert.equal((await till.exited).code, 0);
      const orders = await shop.orders(5);
      // Long enough for several of the worker's retries (300 ms, doubling): none may dead-letter the order.
      await new Promise((r) => setTimeout(r, 15_000));
      assert.equal((await rowsWhen(db.url, 0)).length, 0, 'no row while the registry is away');
      assert.deepEqual(
        await readToEnd(sink.dlqTopic),
        [],
        'nothing dead-lettered while the registry is away',
      );

      await registry.open();
      const rows = await rowsWhen(db.url, 5, 60_000);
      assert.deepEqual(new Set(rows.map((r) => r.order_id)), new Set(orders.map((o) => o.order_id)));
      assert.deepEqual(await readToEnd(sink.dlqTopic), [], 'nothing dead-lettered after it answered');
      const status = await sink.api.status(sink.name);
      assert.deepEqual(
        [status?.connector.state, ...(status?.tasks.map((t) => t.state) ?? [])],
        ['RUNNING', 'RUNNING'],
      );
    } finally {
      await registry.close();
    }
  });

  it('PostgreSQL stopped for 30 s while tills take orders: the sink recovers and no row is lost', async () => {
    const server = privatePostgres(5439);
    let watch: ReturnType<typeof watchSink> | undefined;
    try {
      server.start();
      const shop = isolatedShop('sink-outage');
      const db = await isolatedDatabase('sink_outage', { server: server.url });
      const sink = await deploySink(shop.prefix, db.url, 'avro');
      watch = watchSink(shop.prefix, 'sink-outage-watch');
      // 4 orders a second for 45 s, so orders keep coming before, during and after the outage.
      const till = start('till', 'sink-outage-till', ['--orders', '180', '--rate', '4'], {
        ...shop.env,
        TIME_SCALE: '0',
      });
      assert.ok((await rowsWhen(db.url, 10)).length >= 10, 'the sink writes before the outage');
      server.stop();
      await new Promise((r) => setTimeout(r, 30_000));
      server.start();
      assert.equal((await till.exited).code, 0);

      const orders = await shop.orders(180);
      const rows = await rowsWhen(db.url, 180, 180_000);
      assert.equal(rows.length, 180, 'every order is a row');
      assert.deepEqual(new Set(rows.map((r) => r.order_id)), new Set(orders.map((o) => o.order_id)));
      const status = await sink.api.status(sink.name);
      assert.deepEqual(
        [status?.connector.state, ...(status?.tasks.map((t) => t.state) ?? [])],
        ['RUNNING', 'RUNNING'],
      );
    } finally {
      await watch?.stop();
      await deleteSinks();
      server.remove();
    }
  });
});
