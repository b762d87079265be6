import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DecodeError,
  type ConsumedMessage,
  type Cooked,
  type CookRequest,
  type Order,
  type OrderReady,
  type TakeResult,
} from '@chippy/messaging';
import type { OrderLedger, OrderState } from './ledger.js';
import { finishCooked, prepareOrder, type PreparerDeps } from './preparer.js';

const order: Order = {
  order_id: '6f1c1d1e-0000-4000-8000-000000000001',
  till: 'till-1',
  count: 1,
  order_time: 1_000,
  items: ['cod & chips'],
};
const message: ConsumedMessage = {
  topic: 'orders',
  partition: 0,
  offset: '7',
  key: Buffer.from(order.order_id),
  value: Buffer.from('x'),
};

function memoryLedger(
  initial: Record<string, OrderState> = {},
): OrderLedger & { states: Map<string, OrderState> } {
  const states = new Map(Object.entries(initial));
  return {
    states,
    get: (id) => Promise.resolve(states.get(id) ?? { state: 'new' }),
    markSending: (id, since) => Promise.resolve(void states.set(id, { state: 'sending', since })),
    markReady: (id) => Promise.resolve(void states.set(id, { state: 'ready' })),
  };
}

function deps(overrides: Partial<PreparerDeps> = {}) {
  const handedOver: OrderReady[] = [];
  const parked: { reason: string }[] = [];
  const asked: CookRequest[] = [];
  let clock = 5_000;
  const d: PreparerDeps = {
    preparerId: 'p1',
    timeScale: 0,
    decodeOrder: () => Promise.resolve(order),
    decodeCooked: () => Promise.reject(new Error('no cooked message in this test')),
    take: () => Promise.resolve({ outcome: 'taken' }),
    askCook: (request) => Promise.resolve(void asked.push(request)),
    ledger: memoryLedger(),
    handOver: (ready) => Promise.resolve(void handedOver.push(ready)),
    alreadyHandedOver: () => Promise.resolve(false),
    deadLetter: (_m, reason) => Promise.resolve(void parked.push({ reason })),
    now: () => (clock += 10),
    ...overrides,
  };
  return { d, handedOver, parked, asked };
}

test('an order is prepared, handed over once and recorded as ready', async () => {
  const ledger = memoryLedger();
  const { d, handedOver } = deps({ ledger });
  assert.equal(await prepareOrder(message, d), 'prepared');
  assert.equal(handedOver.length, 1);
  assert.deepEqual(
    { ...handedOver[0], prepare_started: 0, ready_time: 0 },
    {
      ...order,
      preparer: 'p1',
      prepare_started: 0,
      ready_time: 0,
      cooked: false,
    },
  );
  assert.ok(handedOver[0]!.ready_time >= handedOver[0]!.prepare_started);
  assert.deepEqual(ledger.states.get(order.order_id), { state: 'ready' });
});

test('a redelivered order that was handed over is not prepared again', async () => {
  const { d, handedOver } = deps({ ledger: memoryLedger({ [order.order_id]: { state: 'ready' } }) });
  assert.equal(await prepareOrder(message, d), 'duplicate');
  assert.equal(handedOver.length, 0);
});

test('an order caught mid-hand-over is checked against orders-ready, not guessed', async () => {
  const sending = { [order.order_id]: { state: 'sending', since: 4_000 } as const };
  const found = deps({ ledger: memoryLedger(sending), alreadyHandedOver: () => Promise.resolve(true) });
  assert.equal(await prepareOrder(message, found.d), 'duplicate');
  assert.equal(found.handedOver.length, 0);

  const missing = deps({ ledger: memoryLedger(sending), alreadyHandedOver: () => Promise.resolve(false) });
  assert.equal(await prepareOrder(message, missing.d), 'prepared');
  assert.equal(missing.handedOver.length, 1);
});

test('an undecodable message is parked with its reason and nothing is handed over', async () => {
  const { d, handedOver, parked } = deps({
    decodeOrder: () => Promise.reject(new DecodeError('bad-magic-byte', 'nope')),
  });
  assert.equal(await prepareOrder(message, d), 'dead-lettered');
  assert.deepEqual(parked, [{ reason: 'bad-magic-byte' }]);
  assert.equal(handedOver.length, 0);
});

test('passing trouble (registry down) is thrown so the message is retried, not parked', async () => {
  const { d, parked } = deps({ decodeOrder: () => Promise.reject(new Error('connect ECONNREFUSED')) });
  await assert.rejects(prepareOrder(message, d), /ECONNREFUSED/);
  assert.equal(parked.length, 0);
});

test('a failed hand-over leaves the order unfinished, so redelivery prepares it', async () => {
  const ledger = memoryLedger();
  const { d } = deps({ ledger, handOver: () => Promise.reject(new Error('broker gone')) });
  await assert.rejects(prepareOrder(message, d), /broker gone/);
  assert.equal(ledger.states.get(order.order_id)?.state, 'sending');
});

test('short of food: the order goes to the cook with what is missing, and nothing is handed over yet', async () => {
  const plaice: Order = { ...order, items: ['cod & chips', 'plaice & chips'] };
  const taking: { id: string; portions: unknown }[] = [];
  const { d, asked, handedOver } = deps({
    decodeOrder: () => Promise.resolve(plaice),
    take: (id, portions) => {
      taking.push({ id, portions });
      return Promise.resolve({ outcome: 'short', short: { plaice: 1 } });
    },
  });
  assert.equal(await prepareOrder(message, d), 'sent-to-cook');
  assert.deepEqual(taking, [{ id: order.order_id, portions: { cod: 1, chips: 2, plaice: 1 } }]);
  assert.equal(handedOver.length, 0);
  assert.equal(asked.length, 1);
  assert.deepEqual(
    { ...asked[0], prepare_started: 0 },
    { order: plaice, short: { plaice: 1 }, preparer: 'p1', prepare_started: 0, attempt: 1 },
  );
});

test("the cook's reply finishes the order, marked as cooked, timed from the first pick-up", async () => {
  const cooked: Cooked = { order, cooked: { plaice: 1 }, cook: 'c1', prepare_started: 1_234, attempt: 1 };
  const { d, handedOver, asked } = deps({ decodeCooked: () => Promise.resolve(cooked) });
  assert.equal(await finishCooked(message, d), 'prepared');
  assert.equal(asked.length, 0);
  assert.equal(handedOver[0]?.cooked, true);
  assert.equal(handedOver[0]?.prepare_started, 1_234);
});

test('if someone else took the food meanwhile, the preparer asks the cook again (next attempt)', async () => {
  const cooked: Cooked = { order, cooked: { cod: 10 }, cook: 'c1', prepare_started: 1_234, attempt: 2 };
  const short: TakeResult = { outcome: 'short', short: { cod: 1 } };
  const { d, asked, handedOver } = deps({
    decodeCooked: () => Promise.resolve(cooked),
    take: () => Promise.resolve(short),
  });
  assert.equal(await finishCooked(message, d), 'sent-to-cook');
  assert.equal(handedOver.length, 0);
  assert.equal(asked[0]?.attempt, 3);
});

test('portions already taken for this order (before a crash) are not taken again; the order is finished', async () => {
  const { d, handedOver } = deps({ take: () => Promise.resolve({ outcome: 'already' }) });
  assert.equal(await prepareOrder(message, d), 'prepared');
  assert.equal(handedOver.length, 1);
});
