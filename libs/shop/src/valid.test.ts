import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CookRequest, Order } from './generated/schemas.js';
import { checkCooked, checkCookRequest, checkOrder, checkOrderReady, limits } from './valid.js';

const order: Order = {
  order_id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  till: 'till-1',
  count: 1,
  order_time: 1_700_000_000_000,
  items: ['cod & chips', 'plaice & chips'],
  payment: 'card',
};
const request: CookRequest = {
  order,
  short: { plaice: 1 },
  preparer: 'preparer-1',
  prepare_started: 1_700_000_000_500,
  attempt: 1,
};

describe('checkOrder', () => {
  it('accepts what a till writes, and an order from before payment', () => {
    assert.equal(checkOrder(order), undefined);
    assert.equal(checkOrder({ ...order, payment: null }), undefined);
    assert.equal(checkOrder({ ...order, till: 'Till № 1 (café)' }), undefined);
  });

  const bad: [string, Partial<Order>, RegExp][] = [
    ['a prototype key', { items: ['constructor'] }, /"constructor" is not on the menu/],
    ['__proto__', { items: ['chips', '__proto__'] }, /"__proto__" is not on the menu/],
    ['toString', { items: ['toString'] }, /not on the menu/],
    ['no items', { items: [] }, /items is empty/],
    ['too many items', { items: Array<string>(limits.items + 1).fill('chips') }, /more than 10/],
    ['a negative count', { count: -1 }, /count -1 is below 1/],
    ['count 0', { count: 0 }, /below 1/],
    ['an order_id that is no UUID', { order_id: 'x' }, /"x" is not a UUID/],
    ['an unknown payment', { payment: 'bitcoin' }, /payment "bitcoin" is not cash or card/],
    ['a long till id', { till: 't'.repeat(limits.idLength + 1) }, /till is longer than 100/],
    ['an empty till id', { till: '' }, /till is empty/],
    ['an escape in the till id', { till: 'till\u001b]52;c;aGk=\u0007' }, /control character/],
    ['a bidi override in the till id', { till: 'till\u202e1' }, /control character/],
    ['a negative time', { order_time: -5 }, /not a time/],
  ];
  for (const [what, change, reason] of bad) {
    it(`refuses ${what}`, () => assert.match(checkOrder({ ...order, ...change }) ?? '', reason));
  }
});

describe('checkCookRequest', () => {
  it('accepts a request for no more than the order takes', () => {
    assert.equal(checkCookRequest(request), undefined);
    assert.equal(checkCookRequest({ ...request, short: { cod: 1, chips: 2, plaice: 0 } }), undefined);
  });

  it('refuses a forged count, an unknown item, a bad order and a bad preparer', () => {
    assert.match(
      checkCookRequest({ ...request, short: { plaice: 2 ** 31 - 1 } }) ?? '',
      /short.plaice 2147483647 is not from 0 to 1/,
    );
    assert.match(checkCookRequest({ ...request, short: { plaice: -1 } }) ?? '', /not from 0 to 1/);
    assert.match(checkCookRequest({ ...request, short: { haddock: 1 } }) ?? '', /"haddock", not a cabinet/);
    assert.match(
      checkCookRequest({ ...request, short: { constructor: 1 } }) ?? '',
      /"constructor", not a cabinet/,
    );
    assert.match(
      checkCookRequest({ ...request, order: { ...order, items: ['valueOf'] } }) ?? '',
      /^order: "valueOf" is not on the menu/,
    );
    assert.match(checkCookRequest({ ...request, preparer: '' }) ?? '', /preparer is empty/);
    assert.match(checkCookRequest({ ...request, attempt: 0 }) ?? '', /attempt 0/);
  });
});

describe('checkCooked and checkOrderReady', () => {
  it('refuses what no cook or preparer writes', () => {
    const cooked = { order, cooked: { plaice: 1 }, cook: 'cook-1', prepare_started: 1, attempt: 1 };
    assert.equal(checkCooked(cooked), undefined);
    assert.match(checkCooked({ ...cooked, cooked: { plaice: 10_001 } }) ?? '', /not from 0 to 10000/);
    assert.match(checkCooked({ ...cooked, order: { ...order, count: -3 } }) ?? '', /^order: count -3/);
    const ready = { ...order, preparer: 'p', prepare_started: 1, ready_time: 2, cooked: false };
    assert.equal(checkOrderReady(ready), undefined);
    assert.match(checkOrderReady({ ...ready, till: '\u001b[2J' }) ?? '', /control character/);
  });
});
