import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError, type AvroSchemaObject, type DecodeReason, type RegistryLike } from '@chippy/kafka';
import { captureLogger } from '@chippy/runtime/testing';
import avsc from 'avsc';
import {
  CookRequestSchema,
  OrderSchema,
  OrderV1Schema,
  type CookRequest,
  type Order,
} from './generated/schemas.js';
import { shopSerde } from './serde.js';

/** An in-memory registry: ids from 1, one per distinct schema. */
function fakeRegistry() {
  const byId = new Map<number, string>();
  const subjects = new Map<string, number>();
  const registry: RegistryLike = {
    register(subject, schema) {
      const existing = [...byId].find(([, s]) => s === schema)?.[0];
      const id = existing ?? byId.size + 1;
      byId.set(id, schema);
      subjects.set(subject, id);
      return Promise.resolve(id);
    },
    getSchema(id) {
      const schema = byId.get(id);
      return Promise.resolve(schema ? avsc.Type.forSchema(JSON.parse(schema) as avsc.Schema) : undefined);
    },
  };
  return { registry, subjects };
}

const order: Order = {
  order_id: '4f1c2a57-4a8e-4b8e-9a62-3f1a2b3c4d5e',
  till: 'till-1',
  count: 7,
  order_time: 1_700_000_000_123,
  items: ['cod & chips', 'chips'],
  payment: 'card',
};

const { logger } = captureLogger();
const serde = (format: 'avro' | 'json', registry = fakeRegistry().registry, maxBytes?: number) =>
  shopSerde({ registryUri: 'http://unused', format, logger, registry, ...(maxBytes && { maxBytes }) });

async function rejectsWith(promise: Promise<unknown>, reason: DecodeReason) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DecodeError, `not a DecodeError: ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    return true;
  });
}

describe('serde, JSON format', () => {
  it('round-trips an order through the Connect envelope', async () => {
    const encode = await serde('json').encoder<Order>('orders', OrderSchema);
    const bytes = await encode(order);
    const envelope = JSON.parse(bytes.toString('utf8')) as { schema: { name: string }; payload: unknown };
    assert.equal(envelope.schema.name, 'chippy.Order');
    assert.deepEqual(envelope.payload, order);
    assert.deepStrictEqual(await serde('avro').decoder<Order>(OrderSchema)(bytes), order);
  });

  it('fills in defaults an older writer left out', async () => {
    const request = { order, short: { chips: 1 }, preparer: 'p1', prepare_started: 5 };
    const bytes = Buffer.from(JSON.stringify({ schema: {}, payload: request }));
    const decoded = await serde('json').decoder<CookRequest>(CookRequestSchema)(bytes);
    assert.equal(decoded.attempt, 1);
  });
});

describe('serde, Avro format', () => {
  it('registers under <topic>-value and writes the Confluent framing', async () => {
    const { registry, subjects } = fakeRegistry();
    const encode = await serde('avro', registry).encoder<Order>('orders', OrderSchema);
    const bytes = await encode(order);
    assert.equal(subjects.get('orders-value'), 1);
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), 1);
    assert.deepStrictEqual(await serde('json', registry).decoder<Order>(OrderSchema)(bytes), order);
  });

  it('resolves an older writer schema to the reader schema', async () => {
    const { registry } = fakeRegistry();
    const fields = CookRequestSchema.fields.filter((field) => field.name !== 'attempt');
    const older: AvroSchemaObject = { ...CookRequestSchema, fields };
    const encode = await serde('avro', registry).encoder<Omit<CookRequest, 'attempt'>>(
      'cook-requests',
      older,
    );
    const bytes = await encode({ order, short: { chips: 2 }, preparer: 'p1', prepare_started: 5 });
    const decoded = await serde('avro', registry).decoder<CookRequest>(CookRequestSchema)(bytes);
    assert.deepStrictEqual(decoded, {
      order,
      short: { chips: 2 },
      preparer: 'p1',
      prepare_started: 5,
      attempt: 1,
    });
  });

  it('refuses to encode an invalid value, naming the field', async () => {
    const encode = await serde('avro').encoder<Order>('orders', OrderSchema);
    await assert.rejects(
      () => encode({ ...order, count: 'x' as unknown as number }),
      /not a valid chippy.Order: bad count/,
    );
  });
});

describe('serde, schema versions side by side (ORDER_SCHEMA_VERSION)', () => {
  const pinnedV1 = (registry: RegistryLike) =>
    shopSerde({
      registryUri: 'http://unused',
      format: 'avro',
      logger,
      registry,
      pinnedRecords: [OrderV1Schema],
    });

  it('a service on version 1 writes orders without payment; one on version 2 reads them with payment null', async () => {
    const { registry } = fakeRegistry();
    const bytes = await (await pinnedV1(registry).encoder<Order>('orders', OrderSchema))(order);
    const decoded = await serde('avro', registry).decoder<Order>(OrderSchema)(bytes);
    assert.deepStrictEqual(decoded, { ...order, payment: null });
  });

  it('a service on version 1 reads a version 2 order and does not see the new field', async () => {
    const { registry } = fakeRegistry();
    const bytes = await (await serde('avro', registry).encoder<Order>('orders', OrderSchema))(order);
    const decoded = await pinnedV1(registry).decoder<Order>(OrderSchema)(bytes);
    const { payment: _dropped, ...withoutPayment } = order;
    assert.deepStrictEqual(decoded, withoutPayment);
  });

  it('the pin reaches records inside others: a CookRequest from a version 1 service carries a version 1 order', async () => {
    const { registry } = fakeRegistry();
    const request: CookRequest = { order, short: { cod: 1 }, preparer: 'p1', prepare_started: 5, attempt: 1 };
    const bytes = await (
      await pinnedV1(registry).encoder<CookRequest>('cook-requests', CookRequestSchema)
    )(request);
    const decoded = await serde('avro', registry).decoder<CookRequest>(CookRequestSchema)(bytes);
    assert.equal(decoded.order.payment, null);
    assert.equal(decoded.order.order_id, order.order_id);
  });

  it('JSON from a version 1 service has no payment in its Connect schema', async () => {
    const bytes = await (
      await shopSerde({
        registryUri: 'http://unused',
        format: 'json',
        logger,
        pinnedRecords: [OrderV1Schema],
      }).encoder<Order>('orders', OrderSchema)
    )(order);
    const envelope = JSON.parse(bytes.toString('utf8')) as {
      schema: { fields: { field: string }[] };
      payload: object;
    };
    assert.ok(!envelope.schema.fields.some((f) => f.field === 'payment'));
    assert.ok(!('payment' in envelope.payload));
  });
});

describe('serde decode errors', () => {
  const { registry } = fakeRegistry();
  const decode = serde('avro', registry).decoder<Order>(OrderSchema);

  it('rejects empty values', async () => {
    await rejectsWith(decode(null), 'empty');
    await rejectsWith(decode(Buffer.alloc(0)), 'empty');
  });

  it('rejects values that are neither Avro nor JSON', async () => {
    await rejectsWith(decode(Buffer.from([5, 0, 0, 0, 1, 2])), 'bad-magic-byte');
    await rejectsWith(decode(Buffer.from('plain text')), 'bad-magic-byte');
  });

  it('rejects truncated and unknown Avro', async () => {
    const good = await (await serde('avro', registry).encoder<Order>('orders', OrderSchema))(order);
    await rejectsWith(decode(good.subarray(0, good.length - 3)), 'avro-decode-failed');
    await rejectsWith(decode(good.subarray(0, 3)), 'avro-decode-failed');
    const unknownId = Buffer.from(good);
    unknownId.writeInt32BE(999, 1);
    await rejectsWith(decode(unknownId), 'unknown-schema-id');
  });

  it('rejects a writer schema lacking fields the reader needs', async () => {
    const other = {
      type: 'record',
      name: 'Other',
      namespace: 'chippy',
      fields: [{ name: 'x', type: 'int' }],
    } as const;
    const bytes = await (await serde('avro', registry).encoder<{ x: number }>('other', other))({ x: 1 });
    await rejectsWith(decode(bytes), 'invalid-value');
  });

  it('rejects bad JSON, JSON without an envelope, and invalid payloads', async () => {
    await rejectsWith(decode(Buffer.from('{"schema": ')), 'json-parse-failed');
    await rejectsWith(decode(Buffer.from(JSON.stringify(order))), 'json-missing-schema');
    const invalid = Buffer.from(JSON.stringify({ schema: {}, payload: { ...order, items: [1] } }));
    await assert.rejects(
      decode(invalid),
      (error: DecodeError) => error.reason === 'invalid-value' && /items\.0/.test(error.message),
    );
  });

  it("rejects what Avro accepts but the shop's rules do not (libs/shop/src/valid.ts), in both formats", async () => {
    const encode = await serde('avro', registry).encoder<Order>('orders', OrderSchema);
    for (const bad of [
      { ...order, items: ['constructor'] },
      { ...order, items: [] },
      { ...order, count: -1 },
      { ...order, order_id: 'not-a-uuid' },
      { ...order, payment: 'iou' },
      { ...order, till: 't'.repeat(101) },
    ]) {
      await rejectsWith(decode(await encode(bad)), 'invalid-value');
      await rejectsWith(decode(Buffer.from(JSON.stringify({ schema: {}, payload: bad }))), 'invalid-value');
    }
    const request = await (
      await serde('avro', registry).encoder<CookRequest>('cook-requests', CookRequestSchema)
    )({ order, short: { plaice: 2 ** 31 - 1 }, preparer: 'p', prepare_started: 1, attempt: 1 });
    await assert.rejects(
      serde('avro', registry).decoder<CookRequest>(CookRequestSchema)(request),
      (error: DecodeError) =>
        error.reason === 'invalid-value' && /short\.plaice 2147483647/.test(error.message),
    );
  });

  it('rejects values above the size limit before parsing them', async () => {
    const big = Buffer.from(JSON.stringify({ schema: {}, payload: { ...order, till: 'x'.repeat(200) } }));
    await rejectsWith(serde('avro', registry, 100).decoder<Order>(OrderSchema)(big), 'too-large');
  });
});
