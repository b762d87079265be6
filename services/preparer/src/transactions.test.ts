import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  belowCommitted,
  committedOffsetIn,
  inTransaction,
  nextOffset,
  offsetsFor,
  PartitionProducers,
  transactionalIdFor,
  type TransactionLike,
} from './transactions.js';

describe('transactions', () => {
  it('the transactional id belongs to the input partition, under the topic prefix', () => {
    assert.equal(transactionalIdFor('', 'orders', 3), 'preparers-orders-3');
    assert.equal(transactionalIdFor('shop1-', 'shop1-orders', 0), 'shop1-preparers-orders-0');
    assert.equal(transactionalIdFor('shop1-', 'shop1-cooked', 2), 'shop1-preparers-cooked-2');
    assert.notEqual(transactionalIdFor('a-', 'a-orders', 1), transactionalIdFor('b-', 'b-orders', 1));
  });

  it('the committed offset is the next one to read, beyond 2^53 too', () => {
    assert.equal(nextOffset('0'), '1');
    assert.equal(nextOffset('9007199254740993'), '9007199254740994');
    assert.deepEqual(offsetsFor('g', 't', 4, '41'), {
      consumerGroupId: 'g',
      topics: [{ topic: 't', partitions: [{ partition: 4, offset: '42' }] }],
    });
  });

  function fakeTransaction(fail: Partial<Record<'sendOffsets' | 'commit' | 'abort', Error>> = {}) {
    const calls: string[] = [];
    const step = (name: 'sendOffsets' | 'commit' | 'abort') => {
      calls.push(name);
      return fail[name] ? Promise.reject(fail[name]) : Promise.resolve();
    };
    const tx: TransactionLike & { calls: string[]; offsets?: unknown } = {
      calls,
      sendOffsets(offsets) {
        tx.offsets = offsets;
        return step('sendOffsets');
      },
      commit: () => step('commit'),
      abort: () => step('abort'),
    };
    return tx;
  }

  const consumed = { consumerGroupId: 'preparers', topic: 'orders', partition: 1, offset: '9' };

  it('work, then the offset, then commit — in that order, in one transaction', async () => {
    const tx = fakeTransaction();
    const result = await inTransaction(
      () => Promise.resolve(tx),
      consumed,
      (t) => {
        t.calls.push('work');
        return Promise.resolve('prepared');
      },
    );
    assert.equal(result, 'prepared');
    assert.deepEqual(tx.calls, ['work', 'sendOffsets', 'commit']);
    assert.deepEqual(tx.offsets, offsetsFor('preparers', 'orders', 1, '9'));
  });

  it('a failure in the work aborts: no offset is committed, and the error reaches the consumer', async () => {
    const tx = fakeTransaction();
    await assert.rejects(
      inTransaction(
        () => Promise.resolve(tx),
        consumed,
        () => Promise.reject(new Error('registry down')),
      ),
      /registry down/,
    );
    assert.deepEqual(tx.calls, ['abort']);
  });

  it('a failed commit aborts; an abort that fails too is reported, and the first error is thrown', async () => {
    const tx = fakeTransaction({ commit: new Error('fenced'), abort: new Error('fenced again') });
    const abortErrors: unknown[] = [];
    await assert.rejects(
      inTransaction(
        () => Promise.resolve(tx),
        consumed,
        () => Promise.resolve(),
        (e) => abortErrors.push(e),
      ),
      /^Error: fenced$/,
    );
    assert.deepEqual(tx.calls, ['sendOffsets', 'commit', 'abort']);
    assert.equal((abortErrors[0] as Error).message, 'fenced again');
  });

  function fakeProducers() {
    const made: string[] = [];
    const closed: string[] = [];
    const pool = new PartitionProducers((topic, partition) => {
      const name = `${topic}-${partition}#${made.filter((m) => m.startsWith(`${topic}-${partition}#`)).length}`;
      made.push(name);
      return Promise.resolve({ name, disconnect: () => Promise.resolve(void closed.push(name)) });
    });
    return { pool, made, closed };
  }

  it('one producer per partition, made once; a rebalance closes them all', async () => {
    const { pool, made, closed } = fakeProducers();
    const a = await pool.get('orders', 0);
    assert.equal(await pool.get('orders', 0), a);
    await pool.get('orders', 1);
    await pool.get('cooked', 0);
    assert.deepEqual(made, ['orders-0#0', 'orders-1#0', 'cooked-0#0']);
    assert.equal(pool.size, 3);
    await pool.closeAll();
    assert.deepEqual(closed.sort(), ['cooked-0#0', 'orders-0#0', 'orders-1#0']);
    assert.equal(pool.size, 0);
    await pool.get('orders', 0);
    assert.deepEqual(made.at(-1), 'orders-0#1', 'made afresh after the rebalance');
  });

  it('a fenced producer is replaced only after the group rebalances', async () => {
    const { pool, made } = fakeProducers();
    await pool.get('orders', 2);
    await pool.drop('orders', 2, { untilRebalance: true });
    await assert.rejects(pool.get('orders', 2), /until the group rebalances/);
    await pool.get('orders', 3); // other partitions are unaffected
    await pool.closeAll();
    await pool.get('orders', 2);
    assert.deepEqual(made, ['orders-2#0', 'orders-3#0', 'orders-2#1']);
  });

  it('a plain drop makes a fresh producer on the next message; a failed start is not kept', async () => {
    let fail = true;
    const pool = new PartitionProducers(() =>
      fail
        ? Promise.reject(new Error('no broker'))
        : Promise.resolve({ disconnect: () => Promise.resolve() }),
    );
    await assert.rejects(pool.get('orders', 0), /no broker/);
    await new Promise((resolve) => setImmediate(resolve));
    fail = false;
    await pool.get('orders', 0);
    await pool.drop('orders', 0);
    assert.equal(pool.size, 0);
    await pool.get('orders', 0);
    assert.equal(pool.size, 1);
  });

  it("the group's committed offset of one partition, null when the group has none", () => {
    const answer = [
      { topic: 'cooked', partitions: [{ partition: 0, offset: '7' }] },
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '-1' },
          { partition: 1, offset: '42' },
        ],
      },
    ];
    assert.equal(committedOffsetIn(answer, 'orders', 1), '42');
    assert.equal(committedOffsetIn(answer, 'cooked', 0), '7');
    assert.equal(committedOffsetIn(answer, 'orders', 0), null, 'kafkajs says -1 for no offset');
    assert.equal(committedOffsetIn(answer, 'orders', 2), null);
    assert.equal(committedOffsetIn([], 'orders', 1), null);
  });

  it('a message below the committed offset was handled in a committed transaction: skipped', () => {
    // The consumer started at the previous offset (41) while the transaction of 41 was being committed.
    assert.equal(belowCommitted('41', '42'), true);
    assert.equal(belowCommitted('40', '42'), true);
    assert.equal(belowCommitted('42', '42'), false, 'the next one to read is handled');
    assert.equal(belowCommitted('43', '42'), false);
    assert.equal(belowCommitted('0', null), false, 'nothing committed yet: everything is handled');
    assert.equal(belowCommitted('9007199254740992', '9007199254740993'), true, 'beyond 2^53 too');
  });
});
