// The registry half of poc1: an Avro schema registered under `<topic>-value` and read back by its id,
// then messages the till wrote decoded by a client chippy did not write (Apache Avro's Python library).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';
import { shopSerde, type Order, OrderSchema } from '@chippy/shop';
import { endpointsFromEnv } from './harness/endpoints.js';
import { testLogger } from './harness/kafka.js';
import { startService, type RunningService } from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';

const { SCHEMA_REGISTRY_URI, KAFKA_SERVICE_URI } = endpointsFromEnv();
const running: RunningService[] = [];
describe('the schema registry', () => {
  after(async () => {
    await Promise.all(running.map((s) => s.stop('SIGKILL')));
    await deleteShops();
  });

  it('an Avro schema registered under <topic>-value reads back by its id', async () => {
    // A shop's topic name, so that deleteShops() deletes the subject too.
    const topic = isolatedShop('poc1-avro').topics.orders;
    const serde = shopSerde({ registryUri: SCHEMA_REGISTRY_URI, format: 'avro', logger: testLogger });
    const encode = await serde.encoder<Order>(topic, OrderSchema);
    const bytes = await encode({
      order_id: crypto.randomUUID(),
      till: 't',
      count: 1,
      order_time: Date.now(),
      items: ['chips'],
    });
    assert.equal(bytes[0], 0, 'Confluent magic byte');
    const id = bytes.readInt32BE(1);

    const latest = (await (
      await fetch(`${SCHEMA_REGISTRY_URI}/subjects/${topic}-value/versions/latest`)
    ).json()) as { id: number };
    assert.equal(
      latest.id,
      id,
      'the subject is named by the topic, and its latest version has the id on the wire',
    );
    const byId = (await (await fetch(`${SCHEMA_REGISTRY_URI}/schemas/ids/${id}`)).json()) as {
      schema: string;
    };
    assert.deepEqual(JSON.parse(byId.schema), JSON.parse(JSON.stringify(OrderSchema)));
    const config = (await (await fetch(`${SCHEMA_REGISTRY_URI}/config/${topic}-value`)).json()) as {
      compatibilityLevel: string;
    };
    assert.equal(config.compatibilityLevel, 'BACKWARD');
  });

  it("Apache Avro's own Python library decodes every field of what the till wrote (raw bytes from kcat)", async () => {
    const shop = isolatedShop('foreign');
    const till = startService(
      'till',
      'foreign-till',
      ['--orders', '12', '--plaice', '--till-id', 'till-py'],
      {
        ...shop.env,
        TIME_SCALE: '0',
      },
    );
    running.push(till);
    assert.equal((await till.exited).code, 0);
    const placed = till.logs().filter((e) => e.msg === 'order placed');
    assert.equal(placed.length, 12);

    const raw = execFileSync(
      'kcat',
      [
        '-C',
        '-b',
        KAFKA_SERVICE_URI,
        '-t',
        shop.topics.orders,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-D',
        '',
        '-f',
        '%R%s',
      ],
      {
        maxBuffer: 1 << 24,
      },
    );
    const decoded = execFileSync(
      '/usr/bin/python3',
      [path.join(repoRoot, 'test/tools/decode_orders.py'), SCHEMA_REGISTRY_URI],
      {
        input: raw,
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { record: Order });

    assert.equal(decoded.length, 12);
    for (const entry of placed) {
      const found = decoded.find((d) => d.record.order_id === entry.order_id)?.record;
      assert.ok(found, `order ${String(entry.order_id)} decoded`);
      assert.equal(found.till, 'till-py');
      assert.equal(found.count, entry.count);
      assert.deepEqual(found.items, entry.items);
      assert.equal(found.payment, entry.payment);
      assert.ok(
        Number.isInteger(found.order_time) && Math.abs(found.order_time - Date.now()) < 600_000,
        'order_time is epoch ms',
      );
    }
  });
});
