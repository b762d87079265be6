import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectSchema } from '@chippy/kafka';
import { CookRequestSchema, OrderSchema } from './generated/schemas.js';

describe('connectSchema', () => {
  it('turns the Order record into the struct JsonConverter expects', () => {
    assert.deepEqual(connectSchema(OrderSchema), {
      type: 'struct',
      name: 'chippy.Order',
      optional: false,
      fields: [
        { field: 'order_id', type: 'string', optional: false },
        { field: 'till', type: 'string', optional: false },
        { field: 'count', type: 'int32', optional: false },
        {
          field: 'order_time',
          type: 'int64',
          name: 'org.apache.kafka.connect.data.Timestamp',
          version: 1,
          optional: false,
        },
        { field: 'items', type: 'array', items: { type: 'string', optional: false }, optional: false },
        { field: 'payment', type: 'string', optional: true },
      ],
    });
  });

  it('handles nested records and maps', () => {
    const schema = connectSchema(CookRequestSchema);
    assert.equal(schema.fields?.[0]?.type, 'struct');
    assert.equal(schema.fields?.[0]?.name, 'chippy.Order');
    assert.deepEqual(schema.fields?.[1], {
      field: 'short',
      type: 'map',
      keys: { type: 'string', optional: false },
      values: { type: 'int32', optional: false },
      optional: false,
    });
  });

  it('refuses types it cannot express', () => {
    assert.throws(
      () =>
        connectSchema({
          type: 'record',
          name: 'X',
          fields: [{ name: 'u', type: ['null', 'int', 'string'] }],
        }),
      /no Kafka Connect equivalent/,
    );
  });
});
