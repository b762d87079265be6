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
import type { OrderLedger } from './ledger.js';
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

/** A ledger whose take answers `result` and which records what it was asked. */
function fakeLedger(result: TakeResult = { outcome: 'taken' }) {
  const taken: { id: string; portions: unknown; now: number }[] = [];
  const ready: string[] = [];
  const ledger: OrderLedger = {
    take: (id, portions, now) => Promise.resolve(void taken.push({ id, portions, now })).then(() => result),
    markReady: (id) => Promise.resolve(void ready.push(id)),
  };
  return { ledger, taken, ready };
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
    askCook: (request) => Promise.resolve(void asked.push(request)),
    ledger: fakeLedger().ledger,
    handOver: (ready) => Promise.resolve(void handedOver.push(ready)),
    alreadyHandedOver: () => Promise.resolve(false),
    deadLetter: (_m, reason) => Promise.resolve(void parked.push({ reason })),
    now: () => (clock += 10),
    ...overrides,
  };
  return { d, handedOver, parked, asked };
}

test('an order is prepared, handed over once and recorded as ready', async () => {
  const { ledger, taken, ready } = fakeLedger();
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
  assert.deepEqual(
    taken.map(({ id, portions }) => ({ id, portions })),
    [{ id: order.order_id, portions: { cod: 1, chips: 1, plaice: 0 } }],
  );
  const claimed = taken[0]!.now;
  assert.ok(
    claimed >= handedOver[0]!.prepare_started && claimed <= handedOver[0]!.ready_time,
    'claimed before the send',
  );
  assert.deepEqual(ready, [order.order_id]);
});

test('a redelivered order that was handed over is not prepared again', async () => {
  const { ledger, ready } = fakeLedger({ outcome: 'handed-over' });
  const { d, handedOver } = deps({ ledger });
  assert.equal(await prepareOrder(message, d), 'duplicate');
  assert.equal(handedOver.length, 0);
  assert.deepEqual(ready, []);
});

test('an order caught mid-hand-over is checked against orders-ready, not guessed', async () => {
  const interrupted: TakeResult = { outcome: 'interrupted', since: 4_000 };
  const checked: number[] = [];
  const found = fakeLedger(interrupted);
  const foundRun = deps({
    ledger: found.ledger,
    alreadyHandedOver: (_id, since) => Promise.resolve(void checked.push(since)).then(() => true),
  });
  assert.equal(await prepareOrder(message, foundRun.d), 'duplicate');
  assert.equal(foundRun.handedOver.length, 0);
  assert.deepEqual(checked, [4_000], 'read from when the interrupted hand-over began');
  assert.deepEqual(found.ready, [order.order_id], 'recorded, so the next redelivery needs no read');

  const missing = fakeLedger(interrupted);
  const missingRun = deps({ ledger: missing.ledger, alreadyHandedOver: () => Promise.resolve(false) });
  assert.equal(await prepareOrder(message, missingRun.d), 'prepared');
  assert.equal(missingRun.handedOver.length, 1);
  assert.deepEqual(missing.ready, [order.order_id]);
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

test('a failed hand-over is not recorded as ready, so redelivery checks orders-ready', async () => {
  const { ledger, ready } = fakeLedger();
  const { d } = deps({ ledger, handOver: () => Promise.reject(new Error('broker gone')) });
  await assert.rejects(prepareOrder(message, d), /broker gone/);
  assert.deepEqual(ready, []);
});

test('short of food: the order goes to the cook with what is missing, and nothing is handed over yet', async () => {
  const plaice: Order = { ...order, items: ['cod & chips', 'plaice & chips'] };
  const { ledger, taken, ready } = fakeLedger({ outcome: 'short', short: { plaice: 1 } });
  const { d, asked, handedOver } = deps({ decodeOrder: () => Promise.resolve(plaice), ledger });
  assert.equal(await prepareOrder(message, d), 'sent-to-cook');
  assert.deepEqual(
    taken.map(({ id, portions }) => ({ id, portions })),
    [{ id: order.order_id, portions: { cod: 1, chips: 2, plaice: 1 } }],
  );
  assert.deepEqual(ready, []);
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
  const { d, asked, handedOver } = deps({
    decodeCooked: () => Promise.resolve(cooked),
    ledger: fakeLedger({ outcome: 'short', short: { cod: 1 } }).ledger,
  });
  assert.equal(await finishCooked(message, d), 'sent-to-cook');
  assert.equal(handedOver.length, 0);
  assert.equal(asked[0]?.attempt, 3);
});

test('portions already taken for this order (before a crash) are not taken again; the order is finished', async () => {
  const { d, handedOver } = deps({ ledger: fakeLedger({ outcome: 'already' }).ledger });
  assert.equal(await prepareOrder(message, d), 'prepared');
  assert.equal(handedOver.length, 1);
});
