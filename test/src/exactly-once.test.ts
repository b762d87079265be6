// DELIVERY=exactly-once: the preparer's consume → produce step in Kafka transactions, one per batch.
// Preparers are killed with SIGKILL mid-run — mid-transaction, as they always have one open while orders
// are waiting — and `orders-ready`, read with read_committed, still holds every order exactly once, with
// the order_id ledger switched off (PREPARER_DEDUP=none). The control: at least once, without the ledger, a
// preparer killed between a batch's send and its commit does hand orders over twice — so the first test
// would catch transactions that did not work.
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { transactionalProducerOptions } from '@chippy/kafka';
import { testKafka, uniqueName } from './harness/kafka.js';
import { joinedPreparers, servicesPerTest, type RunningService } from './harness/services.js';
import { deleteShops, duplicatesOf, isolatedShop } from './harness/shop.js';

describe('DELIVERY=exactly-once', () => {
  const start = servicesPerTest();
  after(() => deleteShops());

  // Enough backlog that orders are still waiting through three rebalances and two kills (a batch of 20 a
  // transaction, each preparer hands over about 60 orders a second).
  const orderCount = 2000;

  /** Resolves once the preparer has logged `n` more "order ready" lines from now. */
  function readyLines(preparer: RunningService, n: number) {
    const before = preparer.logs().filter((e) => e.msg === 'order ready').length;
    let seen = 0;
    return preparer.waitForLog((e) => e.msg === 'order ready' && ++seen >= n + before, 90_000);
  }

  /**
   * SIGKILL, `delayMs` after the caller saw a commit. A transaction is always open while orders wait; right
   * after a commit the next batch is taking portions and preparing (20 orders, 10–20 ms each), then its
   * OrderReady messages are written, then its offset and commit follow. Where the kill lands is timing only,
   * so the test reports how many aborted writes it caused rather than asserting it (preparer-crash.test.ts
   * kills at each step exactly).
   */
  async function kill(preparer: RunningService, delayMs = 0) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    preparer.process.kill('SIGKILL');
    assert.equal((await preparer.exited).signal, 'SIGKILL');
  }

  /**
   * A shop whose `orders` topic already holds `orderCount` orders, so every preparer has a backlog (and, at
   * least once, a batch of done-but-uncommitted orders) when it is killed.
   */
  async function shopWithBacklog(name: string, delivery: string) {
    const shop = isolatedShop(name);
    // 10–20 ms of preparing per order, 20 orders a batch (one transaction each): the kill lands while a
    // batch is in hand.
    const env = {
      ...shop.env,
      TIME_SCALE: '0.02',
      PREPARER_BATCH_SIZE: '20',
      DELIVERY: delivery,
      PREPARER_DEDUP: 'none',
    };
    start('cook', `${name}-cook`, [], { ...env, RESTOCK_INTERVAL: '1' });
    const till = start('till', `${name}-till`, ['--orders', String(orderCount), '--rate', '500'], env);
    assert.equal((await till.exited).code, 0);
    const orders = await shop.orders(orderCount);
    assert.equal(orders.length, orderCount);
    const preparer = (id: string, extra: NodeJS.ProcessEnv = {}) =>
      start('preparer', `${name}-${id}`, [], { ...env, PREPARER_ID: id, ...extra });
    return { shop, orders, preparer };
  }

  /** Every record on `topic`, aborted ones included (read_uncommitted), once no more arrive for 3 s. */
  async function readUncommitted(topic: string): Promise<number> {
    const consumer = testKafka('test-reader').consumer({
      groupId: uniqueName('test-reader-uncommitted'),
      allowAutoTopicCreation: false,
      readUncommitted: true,
    });
    let count = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: () => {
          count += 1;
          return Promise.resolve();
        },
      });
      for (let last = -1; last !== count;) {
        last = count;
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    } finally {
      await consumer.disconnect();
    }
    return count;
  }

  function report(t: TestContext, line: string) {
    t.diagnostic(line);
    console.log(`exactly-once.test: ${line}`);
  }

  it('exactly-once, no ledger: two preparers SIGKILLed mid-transaction, every order ready exactly once', async (t) => {
    const { shop, orders, preparer } = await shopWithBacklog('eos', 'exactly-once');
    // Rebalances between live preparers, each while orders are being handed over: the partitions a preparer
    // gives up (or keeps) have a transaction that has just committed, and the consumer that takes them on
    // may start from the offset before it (kafkajs cannot ask for stable offsets). p2 joins p1 at work;
    // p4 joins and then leaves gracefully.
    const p1 = preparer('p1');
    await readyLines(p1, 10);
    const p2 = preparer('p2');
    await joinedPreparers(p2);
    await readyLines(p2, 10);
    const p4 = preparer('p4');
    await joinedPreparers(p4);
    await readyLines(p4, 10);
    p4.process.kill('SIGTERM');
    assert.equal((await p4.exited).code, 0);

    await readyLines(p1, 20);
    await kill(p1, 25);
    await readyLines(p2, 20);
    await kill(p2, 25);
    // The dead members' partitions are reassigned after their session timeout (30 s): p3 gets them all,
    // and taking each partition's transactional id over aborts what p1 and p2 left open.
    const p3 = preparer('p3');

    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    const committedDuplicates = duplicatesOf(ready.map((r) => r.order_id));
    const written = await readUncommitted(shop.topics.ordersReady);
    // How often a consumer started below a just-committed offset (the race the preparer guards against).
    const skipped = [p1, p2, p4, p3]
      .flatMap((p) => p.logs())
      .filter((e) => e.msg === 'offset already committed; skipped').length;
    report(
      t,
      `exactly-once: ${orderCount} orders, 3 live rebalances, 2 kills; read_committed: ${ready.length} OrderReady, ` +
        `${committedDuplicates.length} duplicated; read_uncommitted (aborted writes too): ${written}; ` +
        `messages below the committed offset skipped: ${skipped}`,
    );
    assert.deepEqual(committedDuplicates, [], 'no order handed over twice');
    assert.equal(new Set(ready.map((r) => r.order_id)).size, orderCount, 'every order handed over');
    assert.ok(
      ready.some((r) => r.preparer === 'p3'),
      'the new preparer finished the work',
    );
    const aborted = p3.logs().filter((e) => e.msg === 'transaction aborted').length;
    assert.equal(aborted, 0, 'the survivor aborted nothing of its own');
  });

  it('control — at least once, no ledger: a preparer SIGKILLed mid-batch does hand orders over twice', async (t) => {
    const { shop, orders, preparer } = await shopWithBacklog('alo', 'at-least-once');
    // A batch's offsets are committed right after its send, so a kill from outside would land in that gap
    // only by luck: the preparer kills itself there (PREPARER_FAULT), its batch handed over, not committed.
    const p1 = preparer('p1', { PREPARER_FAULT: 'after-send' });
    const p2 = preparer('p2');
    await joinedPreparers(p2);
    assert.equal((await p1.exited).signal, 'SIGKILL');
    preparer('p3');

    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    const duplicates = duplicatesOf(ready.map((r) => r.order_id));
    report(
      t,
      `at-least-once: ${orderCount} orders, 1 kill; ${ready.length} OrderReady, ${duplicates.length} orders duplicated`,
    );
    assert.equal(new Set(ready.map((r) => r.order_id)).size, orderCount, 'every order handed over');
    // The killed preparer had handed over its batch's orders, whose offsets were not committed.
    assert.ok(
      duplicates.length > 0,
      'without transactions or the ledger, redelivery hands orders over again',
    );
  });

  it("kafkajs: an offset committed in a transaction is the group's once the id's InitProducerId is done", async (t) => {
    // What the preparer's guard rests on (transactionalProducers in services/preparer/src/exactly-once.ts): read straight after a commit, the
    // group's offset can still be the previous one (kafkajs cannot ask for stable offsets; timing, reported
    // only), but never once a new producer with the transactional id has been initialized (asserted).
    const kafka = testKafka('test-eos-offsets');
    const topic = uniqueName('eos-offsets');
    const groupId = `${topic}-group`;
    const options = transactionalProducerOptions(`${topic}-tx`);
    const admin = kafka.admin();
    await admin.connect();
    const committed = async () =>
      (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset;
    let producer = kafka.producer(options);
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      const rounds = 60;
      let staleAtOnce = 0;
      let staleAfterInit = 0;
      for (let i = 1; i <= rounds; i++) {
        const tx = await producer.transaction();
        await tx.send({ topic, messages: [{ value: String(i) }] });
        await tx.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition: 0, offset: String(i) }] }],
        });
        await tx.commit();
        if (i % 2 === 1) {
          if ((await committed()) !== String(i)) staleAtOnce += 1;
          continue;
        }
        // As a partition's new owner does: a fresh producer with the id, an empty transaction, then the read.
        const next = kafka.producer(options);
        await next.connect();
        await (await next.transaction()).abort();
        if ((await committed()) !== String(i)) staleAfterInit += 1;
        await producer.disconnect();
        producer = next;
      }
      report(
        t,
        `offsets read straight after a commit: ${staleAtOnce}/${rounds / 2} stale; ` +
          `after the id's InitProducerId: ${staleAfterInit}/${rounds / 2}`,
      );
      assert.equal(staleAfterInit, 0, 'no stale offset once the transactional id is initialized');
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
