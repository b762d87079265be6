import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsumedMessage } from '@chippy/kafka';
import { captureLogger } from '@chippy/runtime/testing';
import type { OrderLedger } from './ledger.js';
import { exactlyOnce, transactionalProducers } from './exactly-once.js';
import type { BatchOutcome } from './preparer.js';

type Step = 'sendOffsets' | 'commit' | 'abort';
type Failing = Step | 'fetchOffsets' | 'disconnect';

/**
 * A broker as the handler sees it: producers by transactional id, each transaction's calls in `log`, and
 * the group's committed offsets, which a committed transaction moves.
 */
function fakeKafka(committed: Record<string, string> = {}) {
  const log: string[] = [];
  const fail: Partial<Record<Failing, Error>> = {};
  let transactions = 0;
  const kafka = {
    producer: ({ transactionalId }: { transactionalId?: string }) => ({
      connect: () => Promise.resolve(void log.push(`${transactionalId} connect`)),
      disconnect: () => {
        log.push(`${transactionalId} disconnect`);
        return fail.disconnect ? Promise.reject(fail.disconnect) : Promise.resolve();
      },
      transaction: () => {
        const id = `${transactionalId} tx${++transactions}`;
        let offsets: { topics: { topic: string; partitions: { partition: number; offset: string }[] }[] };
        const step = (name: Step) => {
          log.push(`${id} ${name}`);
          if (fail[name]) return Promise.reject(fail[name]);
          if (name === 'commit' && offsets) {
            for (const { topic, partitions } of offsets.topics) {
              for (const p of partitions) committed[`${topic}-${p.partition}`] = p.offset;
            }
          }
          return Promise.resolve();
        };
        return Promise.resolve({
          id,
          send: (what: string) => Promise.resolve(void log.push(`${id} send ${what}`)),
          sendOffsets(o: typeof offsets) {
            offsets = o;
            return step('sendOffsets').then(() => void log.push(`${id} offset ${JSON.stringify(o.topics)}`));
          },
          commit: () => step('commit'),
          abort: () => step('abort'),
        });
      },
    }),
  };
  const admin = {
    fetchOffsets: ({ topics }: { groupId: string; topics: string[] }) => {
      const [topic] = topics as [string];
      log.push(`fetchOffsets ${topic}`);
      if (fail.fetchOffsets) return Promise.reject(fail.fetchOffsets);
      const partitions = [0, 1, 2].map((partition) => ({
        partition,
        offset: committed[`${topic}-${partition}`] ?? '-1',
        metadata: null,
      }));
      return Promise.resolve([{ topic, partitions }]);
    },
  };
  return { kafka, admin, log, fail, committed };
}

const messages = (topic: string, partition: number, offsets: number[]): ConsumedMessage[] =>
  offsets.map((o) => ({ topic, partition, offset: String(o), key: null, value: Buffer.from(`m${o}`) }));

const nothing: BatchOutcome = { ready: [], cookRequests: [], duplicates: [], deadLettered: 0 };

function handler(committed: Record<string, string> = {}) {
  const world = fakeKafka(committed);
  const { logger, lines } = captureLogger();
  const producers = transactionalProducers({
    kafka: world.kafka,
    admin: world.admin,
    groupId: 'preparers',
    topicPrefix: 'shop1-',
    logger,
  });
  const ended: string[] = [];
  const recorded: string[] = [];
  let work: (batch: readonly ConsumedMessage[]) => Promise<void> = () => Promise.resolve();
  const eo = exactlyOnce({
    groupId: 'preparers',
    producers,
    ledger: () => {
      const ready: string[] = [];
      const ledger: OrderLedger = {
        take: (orders) => Promise.resolve(orders.map(() => ({ outcome: 'taken' as const }))),
        reclaim: () => Promise.resolve(true),
        markReady: (ids) => Promise.resolve(void ready.push(...ids)),
      };
      return { ledger, afterCommit: () => Promise.resolve(void recorded.push(...ready)) };
    },
    async prepare(batch, tx, ledger) {
      await work(batch);
      await tx.send(`${batch.map((m) => m.offset).join(',')}`);
      await ledger.markReady(batch.map((m) => `order-${m.offset}`));
      return { ...nothing, duplicates: batch.map((m) => m.offset) };
    },
    transactionEnded: (outcome) => void ended.push(outcome),
    logger,
  });
  /** The next batches fail with `error` (none: they work again). */
  const failWork = (error?: Error) => {
    work = () => (error ? Promise.reject(error) : Promise.resolve());
  };
  return { ...world, eo, producers, lines, ended, recorded, failWork };
}

describe('exactly-once', () => {
  it("a partition's producer is ready once an empty transaction is aborted, then reads the committed offset", async () => {
    const h = handler({ 'shop1-orders-0': '40' });
    await h.eo.prepare(messages('shop1-orders', 0, [40]));
    assert.deepEqual(h.log.slice(0, 4), [
      'shop1-preparers-orders-0 connect',
      'shop1-preparers-orders-0 tx1 abort',
      'fetchOffsets shop1-orders',
      'shop1-preparers-orders-0 tx2 send 40',
    ]);
    const connected = h.lines.find((l) => l.msg === 'transactional producer connected');
    assert.deepEqual([connected?.transactionalId, connected?.committed], ['shop1-preparers-orders-0', '40']);
  });

  it("the batch's sends, its offset and the commit go through one transaction; ready is recorded after", async () => {
    const h = handler();
    const outcome = await h.eo.prepare(messages('shop1-orders', 1, [5, 6, 7]));
    assert.deepEqual(outcome?.duplicates, ['5', '6', '7']);
    assert.deepEqual(h.log.slice(3), [
      'shop1-preparers-orders-1 tx2 send 5,6,7',
      'shop1-preparers-orders-1 tx2 sendOffsets',
      'shop1-preparers-orders-1 tx2 offset [{"topic":"shop1-orders","partitions":[{"partition":1,"offset":"8"}]}]',
      'shop1-preparers-orders-1 tx2 commit',
    ]);
    assert.deepEqual(h.ended, ['committed']);
    assert.deepEqual(h.recorded, ['order-5', 'order-6', 'order-7']);
  });

  it('messages below the committed offset are skipped, and a batch all below it makes no transaction', async () => {
    // The consumer started at 41 while the transaction that committed 41 (offset 42) was being finished.
    const h = handler({ 'shop1-orders-2': '42' });
    const outcome = await h.eo.prepare(messages('shop1-orders', 2, [41, 42, 43]));
    assert.deepEqual(outcome?.duplicates, ['42', '43'], 'only the fresh ones are prepared');
    const skipped = h.lines.find((l) => l.msg === 'offset already committed; skipped');
    assert.deepEqual([skipped?.offsets, skipped?.committed], [['41'], '42']);

    const again = handler({ 'shop1-orders-2': '42' });
    assert.equal(await again.eo.prepare(messages('shop1-orders', 2, [40, 41])), undefined);
    assert.deepEqual(again.ended, []);
    assert.ok(!again.log.some((l) => / tx2 /.test(l)), 'no transaction begun');
  });

  it('a failed batch aborts its transaction: nothing committed or recorded, and the error goes on', async () => {
    const h = handler({ 'shop1-orders-0': '10' });
    h.failWork(new Error('registry down'));
    await assert.rejects(h.eo.prepare(messages('shop1-orders', 0, [10, 11])), /registry down/);
    assert.deepEqual(h.log.at(-1), 'shop1-preparers-orders-0 tx2 abort');
    assert.equal(h.committed['shop1-orders-0'], '10');
    assert.deepEqual(h.ended, ['aborted']);
    assert.deepEqual(h.recorded, []);
    const line = h.lines.find((l) => l.msg === 'transaction aborted');
    assert.deepEqual(
      [line?.level, line?.offset, line?.last, line?.err],
      ['warn', '10', '11', 'registry down'],
    );
    // The producer is fine: the redelivered batch goes through it.
    h.failWork();
    await h.eo.prepare(messages('shop1-orders', 0, [10, 11]));
    assert.equal(h.committed['shop1-orders-0'], '12');
  });

  it("a failed abort drops the partition's producer until the group rebalances", async () => {
    const h = handler();
    await h.eo.prepare(messages('shop1-orders', 0, [0]));
    h.fail.commit = new Error('fenced');
    h.fail.abort = new Error('fenced again');
    await assert.rejects(h.eo.prepare(messages('shop1-orders', 0, [1])), /^Error: fenced$/);
    const dropped = h.lines.find((l) => l.msg === 'abort failed; producer dropped');
    assert.deepEqual([dropped?.partition, dropped?.err], [0, 'fenced again']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(h.log.at(-1), 'shop1-preparers-orders-0 disconnect');
    delete h.fail.commit;
    delete h.fail.abort;
    // A new producer would take the id over and fence the preparer that owns the partition now.
    await assert.rejects(h.eo.prepare(messages('shop1-orders', 0, [1])), /until the group rebalances/);
    await h.eo.prepare(messages('shop1-orders', 1, [0])); // other partitions go on
    await h.eo.rebalanced();
    await h.eo.prepare(messages('shop1-orders', 0, [1]));
    assert.equal(h.log.filter((l) => l === 'shop1-preparers-orders-0 connect').length, 2);
  });

  it('a rebalance closes every producer; the next batch makes a new one, which reads the offset again', async () => {
    const h = handler();
    await h.eo.prepare(messages('shop1-orders', 0, [0]));
    await h.eo.prepare(messages('shop1-cooked', 1, [0]));
    await h.eo.rebalanced();
    assert.deepEqual(h.log.filter((l) => l.endsWith('disconnect')).sort(), [
      'shop1-preparers-cooked-1 disconnect',
      'shop1-preparers-orders-0 disconnect',
    ]);
    assert.equal(h.producers.size, 0);
    assert.ok(!h.lines.some((l) => l.level === 'warn'));
    await h.eo.prepare(messages('shop1-orders', 0, [0, 1]));
    const connected = h.lines.filter((l) => l.msg === 'transactional producer connected');
    assert.deepEqual(
      connected.map((l) => [l.transactionalId, l.committed]),
      [
        ['shop1-preparers-orders-0', null],
        ['shop1-preparers-cooked-1', null],
        ['shop1-preparers-orders-0', '1'],
      ],
    );
    assert.deepEqual(h.recorded, ['order-0', 'order-0', 'order-1'], 'offset 0, already committed, skipped');
  });

  it('a producer that could not read the offset is disconnected and not kept', async () => {
    const h = handler();
    h.fail.fetchOffsets = new Error('coordinator loading');
    await assert.rejects(h.eo.prepare(messages('shop1-orders', 0, [0])), /coordinator loading/);
    assert.equal(h.log.at(-1), 'shop1-preparers-orders-0 disconnect');
    delete h.fail.fetchOffsets;
    await new Promise((resolve) => setImmediate(resolve));
    await h.eo.prepare(messages('shop1-orders', 0, [0]));
    assert.equal(h.committed['shop1-orders-0'], '1');
  });

  it('a producer that fails to disconnect does not stop a rebalance or shutdown, and the failure is said', async () => {
    const h = handler();
    await h.eo.prepare(messages('shop1-orders', 0, [0]));
    await h.eo.prepare(messages('shop1-orders', 1, [0]));
    h.fail.disconnect = new Error('socket closed');
    await h.eo.rebalanced();
    assert.equal(h.producers.size, 0);
    const failed = h.lines.filter((l) => l.msg === 'transactional producer disconnect failed');
    assert.deepEqual(failed.map((l) => [l.level, l.partition, l.err]).sort(), [
      ['warn', 0, 'socket closed'],
      ['warn', 1, 'socket closed'],
    ]);
  });
});
