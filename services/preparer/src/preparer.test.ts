import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError, type ConsumedMessage } from '@chippy/kafka';
import type { Cooked, Order, OrderPortions, TakeResult } from '@chippy/shop';
import type { OrderLedger } from './ledger.js';
import { prepareBatch, type BatchOutput, type PreparerDeps } from './preparer.js';
import { orderNo } from './testing/orders.js';

const [first, second, third] = [orderNo(1), orderNo(2), orderNo(3)];

/** One message per order, on `orders` (the value names the order, so the fake decoder can find it). */
const messagesOf = (orders: Order[], topic = 'orders'): ConsumedMessage[] =>
  orders.map((o, i) => ({
    topic,
    partition: 0,
    offset: String(i),
    key: Buffer.from(o.order_id),
    value: Buffer.from(o.order_id),
  }));

/**
 * A ledger answering `results` by order id (`taken` otherwise), or the first take with `firstTake`,
 * recording every call; `reclaimed` is what a reclaim answers.
 */
function fakeLedger(
  results: Record<string, TakeResult> = {},
  { firstTake, reclaimed = true }: { firstTake?: Record<string, TakeResult>; reclaimed?: boolean } = {},
) {
  const calls: unknown[] = [];
  let takes = 0;
  const ledger: OrderLedger = {
    take: (orders: readonly OrderPortions[], now: number) => {
      calls.push(['take', orders, now]);
      const answers = takes++ === 0 && firstTake ? firstTake : results;
      return Promise.resolve(orders.map((o) => answers[o.orderId] ?? { outcome: 'taken' }));
    },
    reclaim: (claims, now) => {
      if (claims.length > 0) calls.push(['reclaim', [...claims], now]);
      return Promise.resolve(reclaimed);
    },
    markReady: (ids) => Promise.resolve(void calls.push(['ready', [...ids]])),
  };
  return { ledger, calls };
}

function deps(orders: Order[], overrides: Partial<PreparerDeps> = {}) {
  const sent: BatchOutput[] = [];
  const parked: string[] = [];
  const steps: string[] = [];
  const byId = new Map(orders.map((o) => [o.order_id, o]));
  let clock = 5_000;
  const d: PreparerDeps = {
    preparerId: 'p1',
    timeScale: 0,
    cookedTopic: 'cooked',
    decodeOrder: (value) => Promise.resolve(byId.get(String(value))!),
    decodeCooked: () => Promise.reject(new Error('no cooked message in this test')),
    ledger: fakeLedger().ledger,
    send: (output) => Promise.resolve(void sent.push(output)).then(() => void steps.push('send')),
    alreadyHandedOver: () => Promise.resolve(new Set<string>()),
    waitForClaims: (ids, until) => Promise.resolve(void steps.push(`wait ${ids.join()} until ${until}`)),
    deadLetter: (_m, reason) => Promise.resolve(void parked.push(reason)),
    reached: (step) => {
      steps.push(step);
      return undefined;
    },
    now: () => (clock += 10),
    ...overrides,
  };
  return { d, sent, parked, steps };
}

describe('prepareBatch', () => {
  it('a batch: one take for every order, one send of every OrderReady, then one step recording them ready', async () => {
    const { ledger, calls } = fakeLedger();
    const { d, sent, steps } = deps([first, second], { ledger });
    const outcome = await prepareBatch(messagesOf([first, second]), d);
    assert.equal(sent.length, 1, 'one produce call');
    assert.deepEqual(
      sent[0]!.ready.map((r) => ({ ...r, prepare_started: 0, ready_time: 0 })),
      [first, second].map((o) => ({
        ...o,
        preparer: 'p1',
        prepare_started: 0,
        ready_time: 0,
        cooked: false,
      })),
    );
    assert.deepEqual(sent[0]!.cookRequests, []);
    assert.deepEqual(outcome.ready, sent[0]!.ready);
    const [take, ready] = calls as [[string, OrderPortions[], number], [string, string[]]];
    assert.deepEqual(
      take[1].map((o) => o.orderId),
      [first.order_id, second.order_id],
    );
    assert.deepEqual(take[1][0]!.portions, { cod: 1, chips: 1, plaice: 0 });
    for (const r of sent[0]!.ready) {
      assert.ok(take[2] >= r.prepare_started && take[2] <= r.ready_time, 'claimed before the send');
    }
    assert.deepEqual(ready, ['ready', [first.order_id, second.order_id]]);
    assert.deepEqual(steps, ['taken', 'send', 'sent'], 'the ledger step, then the send, then ready');
  });

  it('orders already handed over are skipped; the rest of the batch is prepared', async () => {
    const { ledger, calls } = fakeLedger({ [first.order_id]: { outcome: 'handed-over' } });
    const { d, sent } = deps([first, second], { ledger });
    const outcome = await prepareBatch(messagesOf([first, second]), d);
    assert.deepEqual(outcome.duplicates, [first.order_id]);
    assert.deepEqual(
      sent[0]!.ready.map((r) => r.order_id),
      [second.order_id],
    );
    assert.deepEqual(calls.at(-1), ['ready', [second.order_id]]);
  });

  it('orders caught mid-hand-over are looked up in orders-ready together, from the earliest, not guessed', async () => {
    const { ledger, calls } = fakeLedger({
      [first.order_id]: { outcome: 'interrupted', since: 4_000 },
      [second.order_id]: { outcome: 'interrupted', since: 3_000 },
    });
    const lookups: [string[], number][] = [];
    const { d, sent } = deps([first, second, third], {
      ledger,
      alreadyHandedOver: (ids, since) =>
        Promise.resolve(void lookups.push([[...ids], since])).then(() => new Set([first.order_id])),
    });
    const outcome = await prepareBatch(messagesOf([first, second, third]), d);
    assert.deepEqual(lookups, [[[first.order_id, second.order_id], 3_000]], 'one read, from the earliest');
    const takenAt = (calls.find((c) => (c as string[])[0] === 'take') as [string, unknown, number])[2];
    const reclaims = calls.filter((c) => (c as string[])[0] === 'reclaim') as [string, unknown, number][];
    assert.deepEqual(
      reclaims.map(([, claims]) => claims),
      [[{ orderId: second.order_id, since: 3_000 }]],
      'the one not in Kafka is claimed anew, as its old claim left it, before it is sent',
    );
    assert.ok(reclaims[0]![2] > takenAt, 'from the time of the reclaim');
    assert.deepEqual(outcome.duplicates, [first.order_id], 'found in Kafka: not handed over again');
    assert.deepEqual(
      sent[0]!.ready.map((r) => r.order_id),
      [second.order_id, third.order_id],
      'not in Kafka: handed over now',
    );
    assert.deepEqual(
      calls.at(-1),
      ['ready', [second.order_id, third.order_id, first.order_id]],
      'the one found is recorded too, so the next redelivery needs no read',
    );
  });

  it('an undecodable message is parked with its reason and the rest of the batch carries on', async () => {
    const { d, sent, parked } = deps([first, second], {
      decodeOrder: (value) =>
        String(value) === first.order_id
          ? Promise.reject(new DecodeError('bad-magic-byte', 'nope'))
          : Promise.resolve(second),
    });
    const outcome = await prepareBatch(messagesOf([first, second]), d);
    assert.deepEqual(parked, ['bad-magic-byte']);
    assert.equal(outcome.deadLettered, 1);
    assert.deepEqual(
      sent[0]!.ready.map((r) => r.order_id),
      [second.order_id],
    );
  });

  it('an item not on the menu is parked, not retried', async () => {
    const { d, parked, sent } = deps([{ ...first, items: ['haggis'] }]);
    await prepareBatch(messagesOf([first]), d);
    assert.deepEqual(parked, ['invalid-value']);
    assert.equal(sent.length, 0);
  });

  it('passing trouble (registry down) is thrown so the batch is retried: nothing parked, taken or sent', async () => {
    const { ledger, calls } = fakeLedger();
    const { d, parked, sent } = deps([first], {
      ledger,
      decodeOrder: () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    await assert.rejects(prepareBatch(messagesOf([first, second]), d), /ECONNREFUSED/);
    assert.deepEqual([parked, sent, calls], [[], [], []]);
  });

  it('a failed send records nothing as ready, so redelivery checks orders-ready', async () => {
    const { ledger, calls } = fakeLedger();
    const { d } = deps([first, second], { ledger, send: () => Promise.reject(new Error('broker gone')) });
    await assert.rejects(prepareBatch(messagesOf([first, second]), d), /broker gone/);
    assert.deepEqual(
      calls.map((c) => (c as unknown[])[0]),
      ['take'],
    );
  });

  it('short of food: the order goes to the cook in the same send as the batch, and is not handed over yet', async () => {
    const plaice: Order = { ...second, items: ['cod & chips', 'plaice & chips'] };
    const { ledger, calls } = fakeLedger({ [plaice.order_id]: { outcome: 'short', short: { plaice: 1 } } });
    const { d, sent } = deps([first, plaice], { ledger });
    await prepareBatch(messagesOf([first, plaice]), d);
    assert.equal(sent.length, 1);
    assert.deepEqual(
      sent[0]!.ready.map((r) => r.order_id),
      [first.order_id],
    );
    assert.deepEqual(
      sent[0]!.cookRequests.map((r) => ({ ...r, prepare_started: 0 })),
      [{ order: plaice, short: { plaice: 1 }, preparer: 'p1', prepare_started: 0, attempt: 1 }],
    );
    assert.deepEqual(calls.at(-1), ['ready', [first.order_id]]);
  });

  it("the cook's reply finishes the order, marked as cooked, timed from the first pick-up", async () => {
    const cooked: Cooked = {
      order: first,
      cooked: { plaice: 1 },
      cook: 'c1',
      prepare_started: 1_234,
      attempt: 1,
    };
    const { d, sent } = deps([], { decodeCooked: () => Promise.resolve(cooked) });
    await prepareBatch(messagesOf([first], 'cooked'), d);
    assert.equal(sent[0]?.ready[0]?.cooked, true);
    assert.equal(sent[0]?.ready[0]?.prepare_started, 1_234);
  });

  it('if someone else took the food meanwhile, the preparer asks the cook again (next attempt)', async () => {
    const cooked: Cooked = {
      order: first,
      cooked: { cod: 10 },
      cook: 'c1',
      prepare_started: 1_234,
      attempt: 2,
    };
    const { d, sent } = deps([], {
      decodeCooked: () => Promise.resolve(cooked),
      ledger: fakeLedger({ [first.order_id]: { outcome: 'short', short: { cod: 1 } } }).ledger,
    });
    await prepareBatch(messagesOf([first], 'cooked'), d);
    assert.deepEqual(sent[0]?.ready, []);
    assert.equal(sent[0]?.cookRequests[0]?.attempt, 3);
  });

  it('portions already taken for an order (before a crash) are not taken again; the order is finished', async () => {
    const { d, sent } = deps([first], {
      ledger: fakeLedger({ [first.order_id]: { outcome: 'already' } }).ledger,
    });
    await prepareBatch(messagesOf([first]), d);
    assert.equal(sent[0]?.ready.length, 1);
  });

  it('the same order twice in one batch is prepared once', async () => {
    const { ledger, calls } = fakeLedger();
    const { d, sent } = deps([first], { ledger });
    const outcome = await prepareBatch(messagesOf([first, first]), d);
    assert.equal(sent[0]?.ready.length, 1);
    assert.deepEqual(outcome.duplicates, [first.order_id]);
    assert.equal((calls[0] as [string, OrderPortions[]])[1].length, 1, 'taken once');
  });

  it("orders another preparer's claim still holds: nothing is taken until it lapses, then the batch is taken", async () => {
    const { ledger, calls } = fakeLedger(
      {},
      {
        firstTake: {
          [second.order_id]: { outcome: 'held', until: 60_000 },
          [first.order_id]: { outcome: 'deferred' },
        },
      },
    );
    const { d, sent, steps } = deps([first, second], { ledger });
    await prepareBatch(messagesOf([first, second]), d);
    assert.deepEqual(steps, [`wait ${second.order_id} until 60000`, 'taken', 'send', 'sent']);
    const takes = calls.filter((c) => (c as string[])[0] === 'take');
    assert.equal(takes.length, 2, 'taken again after the wait, at the later time');
    assert.deepEqual(
      sent[0]!.ready.map((r) => r.order_id),
      [first.order_id, second.order_id],
    );
  });

  it('an interrupted order claimed by another preparer meanwhile: the batch fails before anything is sent', async () => {
    const { ledger } = fakeLedger(
      { [first.order_id]: { outcome: 'interrupted', since: 4_000 } },
      { reclaimed: false },
    );
    const { d, sent } = deps([first, second], { ledger });
    await assert.rejects(prepareBatch(messagesOf([first, second]), d), /another preparer claimed/);
    assert.deepEqual(sent, [], 'redelivered instead: nothing sent');
  });

  it("the hand-over's deadline is armed at the claim and disarmed once the send is acknowledged, or fails", async () => {
    const armed: string[] = [];
    const handOverDeadline = (claimedAt: number) => {
      armed.push(`armed ${claimedAt}`);
      return () => void armed.push('disarmed');
    };
    const { ledger, calls } = fakeLedger();
    const { d, steps } = deps([first, second], { handOverDeadline, ledger });
    await prepareBatch(messagesOf([first, second]), d);
    const takenAt = (calls[0] as [string, unknown, number])[2];
    assert.deepEqual(armed, [`armed ${takenAt}`, 'disarmed'], 'armed from the time the take claimed them');
    assert.deepEqual(steps, ['taken', 'send', 'sent'], 'disarmed only after the send');

    armed.length = 0;
    const failing = deps([first, second], {
      handOverDeadline,
      send: () => Promise.reject(new Error('broker gone')),
    });
    await assert.rejects(prepareBatch(messagesOf([first, second]), failing.d), /broker gone/);
    assert.deepEqual(armed.slice(1), ['disarmed']);
  });
});
