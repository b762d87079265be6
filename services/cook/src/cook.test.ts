import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DecodeError,
  type ConsumedMessage,
  type Cooked,
  type CookRequest,
  type Portions,
} from '@chippy/messaging';
import { cookOrder, type CookDeps } from './cook.js';
import { fakeCabinet } from './fake-cabinet.js';
import { createLock } from './lock.js';

const request: CookRequest = {
  order: {
    order_id: '6f1c1d1e-0000-4000-8000-000000000002',
    till: 'till-1',
    count: 2,
    order_time: 1_000,
    items: ['cod & chips', 'plaice & chips'],
  },
  short: { cod: 1, plaice: 1 },
  preparer: 'p1',
  prepare_started: 1_500,
  attempt: 1,
};
const message: ConsumedMessage = {
  topic: 'cook-requests',
  partition: 0,
  offset: '3',
  key: Buffer.from(request.order.order_id),
  value: Buffer.from('x'),
};

function deps(overrides: Partial<CookDeps> = {}) {
  const sent: Cooked[] = [];
  const added: Portions[] = [];
  const parked: string[] = [];
  const cabinet = fakeCabinet({ chips: 2 });
  const d: CookDeps = {
    cookId: 'c1',
    timeScale: 0,
    target: { cod: 10, chips: 20 },
    cabinet,
    fryer: createLock(),
    decode: () => Promise.resolve(request),
    send: (cooked) => Promise.resolve(void sent.push(cooked)),
    deadLetter: (_m, reason) => Promise.resolve(void parked.push(reason)),
    onAdded: (batch) => void added.push(batch),
    ...overrides,
  };
  return { d, cabinet, sent, added, parked };
}

test('a request is fried, put in the cabinet and answered with Cooked', async () => {
  const { d, cabinet, sent, added } = deps();
  const result = await cookOrder(message, d);
  const cooked: Cooked = {
    order: request.order,
    cooked: { cod: 10, plaice: 1 },
    cook: 'c1',
    prepare_started: 1_500,
    attempt: 1,
  };
  assert.deepEqual(result, { outcome: 'cooked', cooked, added: true });
  assert.deepEqual(sent, [cooked]);
  assert.deepEqual(added, [{ cod: 10, chips: 0, plaice: 1 }]);
  assert.deepEqual(cabinet.now, { cod: 10, chips: 2, plaice: 1 });
});

test('a redelivered request adds nothing and counts nothing, but answers again', async () => {
  const { d, cabinet, sent, added } = deps();
  await cookOrder(message, d);
  const again = await cookOrder(message, d);
  assert.equal(again.outcome === 'cooked' && again.added, false);
  assert.equal(sent.length, 2);
  assert.equal(added.length, 1);
  assert.deepEqual(cabinet.now, { cod: 10, chips: 2, plaice: 1 });
});

test('a later attempt for the same order is cooked again', async () => {
  const { d, added } = deps();
  await cookOrder(message, d);
  await cookOrder(message, { ...d, decode: () => Promise.resolve({ ...request, attempt: 2 }) });
  assert.equal(added.length, 2);
});

test('an undecodable message is parked with its reason and nothing is cooked', async () => {
  const { d, cabinet, sent, parked } = deps({
    decode: () => Promise.reject(new DecodeError('bad-magic-byte', 'nope')),
  });
  assert.deepEqual(await cookOrder(message, d), { outcome: 'dead-lettered' });
  assert.deepEqual(parked, ['bad-magic-byte']);
  assert.equal(sent.length, 0);
  assert.deepEqual(cabinet.now, { cod: 0, chips: 2, plaice: 0 });
});

test('passing trouble (registry down) is thrown so the message is retried, not parked', async () => {
  const { d, parked } = deps({ decode: () => Promise.reject(new Error('connect ECONNREFUSED')) });
  await assert.rejects(cookOrder(message, d), /ECONNREFUSED/);
  assert.equal(parked.length, 0);
});

test('a failed send is thrown, so redelivery answers (without cooking twice)', async () => {
  const { d, cabinet, sent } = deps({ send: () => Promise.reject(new Error('broker gone')) });
  await assert.rejects(cookOrder(message, d), /broker gone/);
  const retried = deps();
  await cookOrder(message, { ...retried.d, cabinet });
  assert.equal(sent.length, 0);
  assert.equal(retried.sent.length, 1);
  assert.deepEqual(cabinet.now, { cod: 10, chips: 2, plaice: 1 });
});
