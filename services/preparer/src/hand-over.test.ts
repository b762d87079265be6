import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError, type ConsumedMessage } from '@chippy/kafka';
import { captureLogger } from '@chippy/runtime/testing';
import type { OrderPortions, TakeResult } from '@chippy/shop';
import type { ProducerBatch } from 'kafkajs';
import { handOver, handOverCodecs, type HandOverParts, type Sender } from './hand-over.js';
import type { OrderLedger } from './ledger.js';
import { orderNo } from './testing/orders.js';

/** One message per order on `orders`, its value the order's number ('?' cannot be decoded). */
const messagesOf = (values: string[]): ConsumedMessage[] =>
  values.map((v, i) => ({
    topic: 's-orders',
    partition: 0,
    offset: String(i),
    key: null,
    value: Buffer.from(v),
  }));

/** A ledger answering `results` by order number (`taken` otherwise); `held` answers the first take. */
const ledgerOf = (
  results: Record<number, TakeResult> = {},
  held?: Record<number, TakeResult>,
): OrderLedger => {
  let takes = 0;
  return {
    take: (orders: readonly OrderPortions[]) => {
      const answers = takes++ === 0 && held ? held : results;
      return Promise.resolve(orders.map((o) => answers[Number(o.orderId.slice(-1))] ?? { outcome: 'taken' }));
    },
    reclaim: () => Promise.resolve(true),
    markReady: () => Promise.resolve(),
  };
};

function fakeSender() {
  const batches: ProducerBatch[] = [];
  const sender: Sender = {
    sendBatch: (batch) => Promise.resolve(void batches.push(batch)).then(() => []),
    send: () => Promise.resolve([]),
  };
  return { sender, batches };
}

function parts() {
  const { logger, lines } = captureLogger();
  const parked: { sender: unknown; offset: string; reason: string }[] = [];
  const faults: number[] = [];
  const p: HandOverParts = {
    preparerId: 'p1',
    timeScale: 0,
    topics: { ordersReady: 's-orders-ready', cookRequests: 's-cook-requests', cooked: 's-cooked' },
    decodeOrder: (value) =>
      String(value) === '?'
        ? Promise.reject(new DecodeError('bad-magic-byte', 'no magic byte'))
        : Promise.resolve(orderNo(Number(String(value)))),
    decodeCooked: () => Promise.reject(new Error('no cooked message in these tests')),
    encodeReady: (r) => Promise.resolve(Buffer.from(`ready ${r.count}`)),
    encodeCookRequest: (r) => Promise.resolve(Buffer.from(`cook ${r.order.count}`)),
    findPublished: (ids) => Promise.resolve(new Set([...ids].filter((id) => id.endsWith('1')))),
    deadLetters: (sender) => (message, reason) =>
      Promise.resolve(void parked.push({ sender, offset: message.offset, reason })),
    fault: (size) => {
      faults.push(size);
      return () => undefined;
    },
    stopping: new AbortController().signal,
    logger,
  };
  return { p, lines, parked, faults };
}

describe('the hand-over', () => {
  it("a batch's OrderReady and CookRequest messages go in one produce call through the sender, keyed by order", async () => {
    const { p, faults } = parts();
    const { sender, batches } = fakeSender();
    const ledger = ledgerOf({ 3: { outcome: 'short', short: { cod: 1 } } });
    const outcome = await handOver(p)(messagesOf(['1', '2', '3']), sender, ledger);
    assert.equal(outcome.ready.length, 2);
    assert.equal(batches.length, 1, 'one produce call');
    assert.equal(batches[0]!.acks, undefined, "kafkajs's default: every in-sync replica");
    assert.deepEqual(
      batches[0]!.topicMessages?.map((t) => [t.topic, t.messages.map((m) => [m.key, String(m.value)])]),
      [
        [
          's-orders-ready',
          [
            [orderNo(1).order_id, 'ready 1'],
            [orderNo(2).order_id, 'ready 2'],
          ],
        ],
        ['s-cook-requests', [[orderNo(3).order_id, 'cook 3']]],
      ],
    );
    assert.deepEqual(faults, [3], 'the fault setting sees the batch size');

    const { sender: only, batches: cookOnly } = fakeSender();
    await handOver(p)(messagesOf(['4']), only, ledgerOf({ 4: { outcome: 'short', short: { chips: 2 } } }));
    assert.deepEqual(
      cookOnly[0]!.topicMessages?.map((t) => t.topic),
      ['s-cook-requests'],
      'a topic with nothing to send is left out',
    );
  });

  it('a dead letter goes through the same sender as the hand-over (the transaction, in exactly-once)', async () => {
    const { p, parked } = parts();
    const { sender: tx, batches } = fakeSender();
    await handOver(p)(messagesOf(['?', '2']), tx, ledgerOf());
    assert.deepEqual(parked, [{ sender: tx, offset: '0', reason: 'bad-magic-byte' }]);
    assert.equal(batches.length, 1);
  });

  it('an interrupted hand-over is looked for on orders-ready, and each order checked is logged', async () => {
    const { p, lines } = parts();
    const { sender, batches } = fakeSender();
    const interrupted: TakeResult = { outcome: 'interrupted', since: 5_000 };
    const outcome = await handOver(p)(
      messagesOf(['1', '2']),
      sender,
      ledgerOf({ 1: interrupted, 2: interrupted }),
    );
    assert.deepEqual(
      outcome.duplicates,
      [orderNo(1).order_id],
      'found on orders-ready: not handed over again',
    );
    assert.deepEqual(
      batches[0]!.topicMessages?.[0]?.messages.map((m) => m.key),
      [orderNo(2).order_id],
    );
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.order_id, l.found]),
      [
        ['warn', 'checked an interrupted hand-over', orderNo(1).order_id, true],
        ['warn', 'checked an interrupted hand-over', orderNo(2).order_id, false],
      ],
    );
  });

  it('the codecs are made once, not per batch or message', async () => {
    const made: string[] = [];
    const serde = {
      decoder: <T>(schema: { name?: string }) => {
        made.push(`decoder ${schema.name}`);
        return (value: Buffer | null) => Promise.resolve(JSON.parse(String(value)) as T);
      },
      encoder: <T>(topic: string) => {
        made.push(`encoder ${topic}`);
        return Promise.resolve((value: T) => Promise.resolve(Buffer.from(JSON.stringify(value))));
      },
    };
    const codecs = await handOverCodecs(serde, {
      ordersReady: 's-orders-ready',
      cookRequests: 's-cook-requests',
    });
    const { p } = parts();
    const prepare = handOver({ ...p, ...codecs });
    for (let i = 1; i <= 3; i++) {
      const value = Buffer.from(JSON.stringify(orderNo(i)));
      await prepare(
        [{ topic: 's-orders', partition: 0, offset: String(i), key: null, value }],
        fakeSender().sender,
        ledgerOf(),
      );
    }
    assert.deepEqual(made, [
      'decoder Order',
      'decoder Cooked',
      'encoder s-orders-ready',
      'encoder s-cook-requests',
    ]);
  });

  it("a wait for another preparer's claim is logged with the orders and the time, and shutdown ends it", async () => {
    const { p, lines } = parts();
    const { sender, batches } = fakeSender();
    const until = Date.now() + 50;
    const held = { 2: { outcome: 'held', until } as const, 1: { outcome: 'deferred' } as const };
    const outcome = await handOver(p)(messagesOf(['1', '2']), sender, ledgerOf({}, held));
    assert.ok(Date.now() >= until, 'waited for the claim to lapse');
    assert.equal(outcome.ready.length, 2, 'then took and handed over the batch');
    assert.equal(batches.length, 1);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.order_ids, l.until]),
      [
        [
          'warn',
          "another preparer's claim holds these orders: waiting for it to lapse",
          [orderNo(2).order_id],
          new Date(until).toISOString(),
        ],
      ],
    );

    const stopping = new AbortController();
    const prepare = handOver({ ...parts().p, stopping: stopping.signal });
    const waiting = prepare(
      messagesOf(['2']),
      sender,
      ledgerOf({}, { 2: { outcome: 'held', until: Date.now() + 60_000 } }),
    );
    stopping.abort();
    await assert.rejects(waiting, /shutting down/);
  });
});
