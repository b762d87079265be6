import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError, type ConsumedMessage } from '@chippy/kafka';
import type { CookRequest } from '@chippy/shop';
import { cookRequests, type CookDeps } from './cook.js';
import type { Ticket } from './kitchen.js';

const request = (items: string[]): CookRequest => ({
  order: { order_id: 'o-1', till: 'till-1', count: 2, order_time: 1_000, items },
  short: { plaice: 1 },
  preparer: 'p1',
  prepare_started: 1_500,
  attempt: 1,
});
const message = (offset: string, value: string): ConsumedMessage => ({
  topic: 'cook-requests',
  partition: 0,
  offset,
  key: Buffer.from('o-1'),
  value: Buffer.from(value),
});

function deps(decode: CookDeps['decode']) {
  const submitted: Ticket[][] = [];
  const parked: string[] = [];
  const d: CookDeps = {
    decode,
    kitchen: { submit: (tickets) => Promise.resolve(void submitted.push([...tickets])) },
    deadLetter: (_m, reason) => Promise.resolve(void parked.push(reason)),
  };
  return { d, submitted, parked };
}

describe('cookRequests', () => {
  it("a fetch's requests go to the fryer together, each with its order's portions", async () => {
    const { d, submitted } = deps((value) =>
      Promise.resolve(request(value?.toString() === 'a' ? ['plaice & chips'] : ['cod & chips'])),
    );
    const outcome = await cookRequests([message('1', 'a'), message('2', 'b')], d);
    assert.equal(outcome.cooked.length, 2);
    assert.equal(submitted.length, 1, 'one submission for the whole fetch');
    assert.deepEqual(
      submitted[0]!.map((t) => t.need),
      [
        { cod: 0, chips: 1, plaice: 1 },
        { cod: 1, chips: 1, plaice: 0 },
      ],
    );
  });

  it('undecodable and off-menu requests are parked with their reason; the rest are cooked', async () => {
    const { d, submitted, parked } = deps((value) => {
      if (value?.toString() === 'bad') return Promise.reject(new DecodeError('bad-magic-byte', 'nope'));
      if (value?.toString() === 'haddock') return Promise.resolve(request(['haddock']));
      return Promise.resolve(request(['chips']));
    });
    const outcome = await cookRequests([message('1', 'bad'), message('2', 'haddock'), message('3', 'ok')], d);
    assert.deepEqual(parked, ['bad-magic-byte', 'invalid-value']);
    assert.equal(outcome.deadLettered, 2);
    assert.equal(submitted[0]!.length, 1);
  });

  it('passing trouble (registry down) is thrown so the fetch is retried, not parked', async () => {
    const { d, parked } = deps(() => Promise.reject(new Error('connect ECONNREFUSED')));
    await assert.rejects(cookRequests([message('1', 'x')], d), /ECONNREFUSED/);
    assert.equal(parked.length, 0);
  });
});
