import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describePgError, queries, readTotals, toTotals, type Queryable, type Rows } from './totals.js';

const rows: Rows = {
  orders: [{ orders: '5' }],
  items: [
    { item: 'chips', n: '1' },
    { item: 'chips & chips', n: '2' },
    { item: 'cod & chips', n: '4' },
    { item: 'plaice & chips', n: '1' },
  ],
  tills: [
    { till: 'till-1', orders: '3', last_order_time: new Date('2026-11-24T10:00:03Z') },
    { till: 'till-2', orders: '2', last_order_time: new Date('2026-11-24T10:00:02Z') },
  ],
  lastOrders: [
    {
      order_id: 'b',
      till: 'till-1',
      count: 3,
      order_time: new Date('2026-11-24T10:00:03Z'),
      items: ['cod & chips', 'plaice & chips'],
    },
  ],
};

describe('toTotals', () => {
  it('turns item counts into portions with the shared recipe', () => {
    const totals = toTotals(rows);
    assert.equal(totals.orders, 5);
    // cod: 4 cod & chips; chips: 1 + 2×2 + 4 + 1; plaice: 1.
    assert.deepEqual(totals.portions, { cod: 4, chips: 10, plaice: 1 });
    assert.deepEqual(totals.items, { chips: 1, 'chips & chips': 2, 'cod & chips': 4, 'plaice & chips': 1 });
    assert.equal(totals.unknownItems, 0);
  });

  it('counts items not on the menu apart instead of failing the whole summary', () => {
    const totals = toTotals({ ...rows, items: [...rows.items, { item: 'mushy peas', n: '3' }] });
    assert.equal(totals.unknownItems, 3);
    assert.deepEqual(totals.portions, { cod: 4, chips: 10, plaice: 1 });
  });

  it('gives times as ISO strings and counts as numbers', () => {
    const totals = toTotals(rows);
    assert.deepEqual(totals.tills[0], {
      till: 'till-1',
      orders: 3,
      lastOrderTime: '2026-11-24T10:00:03.000Z',
    });
    assert.equal(totals.lastOrders[0]?.order_time, '2026-11-24T10:00:03.000Z');
    assert.deepEqual(totals.lastOrders[0]?.items, ['cod & chips', 'plaice & chips']);
  });

  it('is all zeros for an empty table', () => {
    const totals = toTotals({ orders: [{ orders: '0' }], items: [], tills: [], lastOrders: [] });
    assert.deepEqual(totals.portions, { cod: 0, chips: 0, plaice: 0 });
    assert.equal(totals.orders, 0);
  });
});

/** Answers each query with the rows above, and remembers what was asked. */
function fakeClient(failOn?: string): Queryable & { asked: string[] } {
  const answers = new Map<string, unknown[]>([
    [queries.orders, rows.orders],
    [queries.items, rows.items],
    [queries.tills, rows.tills],
    [queries.lastOrders, rows.lastOrders],
  ]);
  const asked: string[] = [];
  return {
    asked,
    query<R>(text: string) {
      asked.push(text);
      if (text === failOn) return Promise.reject(new Error('boom'));
      return Promise.resolve({ rows: (answers.get(text) ?? []) as R[] });
    },
  };
}

describe('readTotals', () => {
  it('reads everything in one read-only snapshot', async () => {
    const client = fakeClient();
    const totals = await readTotals(client);
    assert.equal(totals.orders, 5);
    assert.match(client.asked[0] ?? '', /^begin .*repeatable read read only$/);
    assert.equal(client.asked.at(-1), 'commit');
  });

  it('rolls back and rethrows when a query fails', async () => {
    const client = fakeClient(queries.tills);
    await assert.rejects(readTotals(client), /boom/);
    assert.equal(client.asked.at(-1), 'rollback');
  });

  it('computes totals in SQL rather than loading every order', () => {
    assert.match(queries.items, /unnest\("items"\)/);
    assert.match(queries.lastOrders, /limit \d+/);
  });
});

describe('describePgError', () => {
  it('says how to create a missing table', () => {
    assert.match(
      describePgError({ code: '42P01', message: 'relation "orders" does not exist' }),
      /db:migrate/,
    );
  });

  it('digs the reason out of an AggregateError with an empty message', () => {
    const error = Object.assign(new AggregateError([new Error('connect ECONNREFUSED 127.0.0.1:5999')], ''), {
      code: 'ECONNREFUSED',
    });
    assert.equal(describePgError(error), 'PostgreSQL: connect ECONNREFUSED 127.0.0.1:5999');
  });
});

describe('totals against a flood of distinct tills and items', () => {
  it('lists only the busiest tills and counts items off the menu together, in SQL', () => {
    assert.match(queries.tills, /order by orders desc, "till" limit 50/);
    assert.match(queries.items, /case when item in \('cod & chips', .*\) then item end/);
    assert.match(queries.lastOrders, /left\("till", 100\)/);
  });

  it('says how many tills are not listed, and puts no unknown item in `items`', () => {
    const totals = toTotals({
      ...rows,
      orders: [{ orders: '10005', tills: '10002' }],
      items: [...rows.items, { item: null, n: '10000' }],
    });
    assert.equal(totals.otherTills, 10_000);
    assert.equal(totals.unknownItems, 10_000);
    assert.deepEqual(Object.keys(totals.items).sort(), [
      'chips',
      'chips & chips',
      'cod & chips',
      'plaice & chips',
    ]);
  });
});
