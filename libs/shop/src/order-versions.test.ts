import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pinRecords } from '@chippy/kafka';
import { CookRequestSchema, OrderSchema, OrderV1Schema } from './generated/schemas.js';
import { latestOrderSchemaVersion, orderSchemaVersion } from './order-versions.js';

const fieldNames = (record: unknown) => (record as { fields: { name: string }[] }).fields.map((f) => f.name);

describe('pinRecords', () => {
  it('replaces the record at the top level', () => {
    assert.equal(pinRecords(OrderSchema, [OrderV1Schema]), OrderV1Schema);
  });

  it('replaces the record where another defines it inline, leaving the rest as it was', () => {
    const pinned = pinRecords(CookRequestSchema, [OrderV1Schema]);
    assert.deepEqual(fieldNames(pinned.fields[0] && (pinned.fields[0] as { type: unknown }).type), [
      'order_id',
      'till',
      'count',
      'order_time',
      'items',
    ]);
    assert.deepEqual(pinned.fields.slice(1), CookRequestSchema.fields.slice(1));
    assert.ok(fieldNames(CookRequestSchema.fields[0].type).includes('payment'), 'the original is unchanged');
  });

  it('changes nothing without pins or for schemas without the record', () => {
    assert.equal(pinRecords(CookRequestSchema, []), CookRequestSchema);
    const other = { type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] } as const;
    assert.deepEqual(pinRecords(other, [OrderV1Schema]), other);
  });
});

describe('Order schema versions', () => {
  it('number from 1; the latest is order.avsc', () => {
    assert.equal(latestOrderSchemaVersion, 2);
    assert.equal(orderSchemaVersion(1), OrderV1Schema);
    assert.equal(orderSchemaVersion(2), OrderSchema);
    assert.throws(() => orderSchemaVersion(3), /no version 3/);
  });
});
