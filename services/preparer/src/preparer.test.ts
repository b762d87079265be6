import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeError, type Order, type OrderReady } from '@chippy/messaging';
import type { OrderLedger, OrderState } from './ledger.js';
import { prepareOrder, type OrderMessage, type PreparerDeps } from './preparer.js';

const order: Order = {
  order_id: '6f1c1d1e-0000-4000-8000-000000000001',
  till: 'till-1',
  count: 1,
  order_time: 1_000,
  items: ['cod & chips'],
};
const message: OrderMessage = {
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
  let clock = 5_000;
  const d: PreparerDeps = {
    preparerId: 'p1',
    timeScale: 0,
    decode: () => Promise.resolve(order),
    ledger: memoryLedger(),
    handOver: (ready) => Promise.resolve(void handedOver.push(ready)),
    alreadyHandedOver: () => Promise.resolve(false),
    deadLetter: (_m, reason) => Promise.resolve(void parked.push({ reason })),
    now: () => (clock += 10),
    ...overrides,
  };
  return { d, handedOver, parked };
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
    decode: () => Promise.reject(new DecodeError('bad-magic-byte', 'nope')),
  });
  assert.equal(await prepareOrder(message, d), 'dead-lettered');
  assert.deepEqual(parked, [{ reason: 'bad-magic-byte' }]);
  assert.equal(handedOver.length, 0);
});

test('passing trouble (registry down) is thrown so the message is retried, not parked', async () => {
  const { d, parked } = deps({ decode: () => Promise.reject(new Error('connect ECONNREFUSED')) });
  await assert.rejects(prepareOrder(message, d), /ECONNREFUSED/);
  assert.equal(parked.length, 0);
});

test('a failed hand-over leaves the order unfinished, so redelivery prepares it', async () => {
  const ledger = memoryLedger();
  const { d } = deps({ ledger, handOver: () => Promise.reject(new Error('broker gone')) });
  await assert.rejects(prepareOrder(message, d), /broker gone/);
  assert.equal(ledger.states.get(order.order_id)?.state, 'sending');
});
