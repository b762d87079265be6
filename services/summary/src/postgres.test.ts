import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { totalsFromPool, type TotalsPool } from './postgres.js';
import { queries } from './totals.js';

/** A pool of one fake client: three orders, or `failure` on the tills query; remembers its release. */
function fakePool(failure?: Error) {
  const released: (Error | undefined)[] = [];
  const pool: TotalsPool = {
    connect: () =>
      Promise.resolve({
        query<R>(text: string) {
          if (failure && text === queries.tills) return Promise.reject(failure);
          const rows = text === queries.orders ? [{ orders: '3' }] : [];
          return Promise.resolve({ rows: rows as R[] });
        },
        release: (error?: Error) => void released.push(error),
      }),
  };
  return { pool, released };
}

describe('totalsFromPool', () => {
  it('reads the totals and gives the client back for reuse', async () => {
    const { pool, released } = fakePool();
    assert.equal((await totalsFromPool(pool)).orders, 3);
    assert.deepEqual(released, [undefined]);
  });

  it('says what to do when a query fails, and drops that client', async () => {
    const missing = Object.assign(new Error('relation "orders" does not exist'), { code: '42P01' });
    const { pool, released } = fakePool(missing);
    await assert.rejects(totalsFromPool(pool), /table "orders" does not exist .*db:migrate/);
    assert.equal(released.length, 1);
    assert.equal(released[0], missing, 'released with the error, so the pool discards it');
  });

  it('says why PostgreSQL cannot be reached', async () => {
    const refused = Object.assign(
      new AggregateError([new Error('connect ECONNREFUSED 127.0.0.1:5999')], ''),
      {
        code: 'ECONNREFUSED',
      },
    );
    const pool: TotalsPool = { connect: () => Promise.reject(refused) };
    await assert.rejects(totalsFromPool(pool), {
      message: 'PostgreSQL: connect ECONNREFUSED 127.0.0.1:5999',
    });
  });
});
