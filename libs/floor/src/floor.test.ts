import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CookRequest, Order, OrderReady } from '@chippy/shop';
import { Floor } from './floor.js';
import type { PanelView } from './panel.js';

const T0 = 1_700_000_000_000;

function order(till: string, count: number, items: string[], id = `${till}-${count}`): Order {
  return { order_id: id, till, count, order_time: T0, items };
}

function ready(o: Order, preparer: string, cooked = false): OrderReady {
  return {
    ...o,
    preparer,
    prepare_started: T0,
    ready_time: T0 + 1000,
    cooked,
  };
}

function cookRequest(o: Order, preparer: string): CookRequest {
  return { order: o, short: { plaice: 1 }, preparer, prepare_started: T0, attempt: 1 };
}

const texts = (panel: PanelView | undefined) => panel?.lines.map((l) => l.text) ?? [];
const panel = (floor: Floor, title: string) => floor.view(T0).panels.find((p) => p.title === title);

/** A floor with two preparer members (partitions 0-2 and 3-5 of orders) and one cook (all of cook-requests). */
function shop(): Floor {
  const floor = new Floor();
  floor.setPreparers(
    [
      { memberId: 'm-a', label: 'chippy-preparer aaaa', partitions: [0, 1, 2] },
      { memberId: 'm-b', label: 'chippy-preparer bbbb', partitions: [3, 4, 5] },
    ],
    new Map([
      [0, 2],
      [1, 0],
      [2, 1],
      [3, 0],
    ]),
    T0,
  );
  floor.setCooks([{ memberId: 'c-a', label: 'chippy-cook cccc', partitions: [0, 1, 2] }], T0);
  return floor;
}

describe('the floor', () => {
  it("shows an order in its till's panel with the original's wording", () => {
    const floor = new Floor();
    floor.order(order('till-1', 7, ['cod & chips', 'chips & chips']), 0, T0);
    assert.deepEqual(texts(panel(floor, 'till-1')), ['Order till-1/7: cod & chips, large chips']);
  });

  it("turns the waiting line in the partition holder's panel into Order ready, and names the panel", () => {
    const floor = shop();
    const o = order('till-2', 1, ['chips']);
    floor.order(o, 4, T0);
    assert.deepEqual(texts(panel(floor, 'chippy-preparer bbbb')), ['Order till-2/1: chips']);
    assert.deepEqual(texts(panel(floor, 'chippy-preparer aaaa')), []);
    floor.ready(ready(o, 'preparer-2'), T0 + 1000);
    const p = panel(floor, 'preparer-2');
    assert.deepEqual(texts(p), ['Order ready till-2/1: chips']);
    assert.equal(p?.lines[0]?.state, 'ready');
    assert.equal(floor.view(T0 + 1000).panels.find((v) => v.title === 'preparer-2')?.rate, 1);
  });

  it('adds up the lag of the partitions a preparer holds', () => {
    const floor = shop();
    assert.equal(panel(floor, 'chippy-preparer aaaa')?.lag, 3);
    assert.equal(panel(floor, 'chippy-preparer bbbb')?.lag, 0);
    assert.deepEqual(panel(floor, 'chippy-preparer aaaa')?.partitions, [0, 1, 2]);
  });

  it('follows a plaice order to the cook and back, finishing after the orders behind it', () => {
    const floor = shop();
    const plaice = order('till-1', 1, ['plaice & chips']);
    const cod = order('till-1', 2, ['cod & chips']);
    floor.order(plaice, 0, T0);
    floor.order(cod, 0, T0);
    floor.cookRequest(cookRequest(plaice, 'preparer-1'), 2, T0 + 500);
    floor.ready(ready(cod, 'preparer-1'), T0 + 900);
    assert.deepEqual(texts(panel(floor, 'chippy-cook cccc')), ['Cooking till-1/1: plaice & chips']);
    floor.cooked(
      { order: plaice, cooked: { plaice: 1 }, cook: 'cook-1', prepare_started: T0, attempt: 1 },
      T0 + 3500,
    );
    floor.ready(ready(plaice, 'preparer-1', true), T0 + 4000);
    assert.deepEqual(texts(panel(floor, 'preparer-1')), [
      'COOK till-1/1: plaice & chips',
      'Order ready till-1/2: cod & chips',
      'Order ready till-1/1: plaice & chips',
    ]);
    assert.deepEqual(texts(panel(floor, 'cook-1')), [
      'Cooked till-1/1: plaice & chips',
      'Order till-1/1 available',
    ]);
    // The journey: every line about the plaice order carries its id, in all three panels.
    const journey = floor
      .view(T0)
      .panels.flatMap((p) => p.lines.filter((l) => l.order === plaice.order_id).map(() => p.title));
    assert.deepEqual(journey, ['till-1', 'preparer-1', 'preparer-1', 'cook-1', 'cook-1']);
  });

  it('shows restocks and batches from cook-batches', () => {
    const floor = shop();
    const plaice = order('till-3', 5, ['plaice & chips']);
    floor.order(plaice, 1, T0);
    floor.cookRequest(cookRequest(plaice, 'preparer-1'), 1, T0);
    const batch = { batch_id: 'b', cook: 'cook-1', started: T0, finished: T0 + 3000 };
    floor.cookBatch({ ...batch, fried: { plaice: 1, chips: 20 }, orders: [plaice.order_id] }, T0 + 3000);
    floor.cookBatch({ ...batch, batch_id: 'c', fried: { chips: 20, cod: 10 }, orders: [] }, T0 + 9000);
    assert.deepEqual(texts(panel(floor, 'cook-1')), [
      'Cooked till-3/5: plaice & chips',
      'Fried 20 chips, 1 plaice for 1 order',
      'Restock: 10 cod, 20 chips',
    ]);
  });

  it('gives a lone cook member the name on an event the floor cannot place, and keeps one panel', () => {
    const floor = shop();
    const earlier = order('till-1', 1, ['plaice & chips']);
    // Cooked for a request made before the floor started: its cook-requests partition is unknown.
    floor.cooked(
      { order: earlier, cooked: { plaice: 1 }, cook: 'cook-1', prepare_started: T0, attempt: 1 },
      T0,
    );
    const cooks = floor.view(T0).panels.filter((p) => p.kind === 'cook');
    assert.deepEqual(
      cooks.map((p) => p.title),
      ['cook-1'],
    );
    assert.deepEqual(texts(cooks[0]), ['Order till-1/1 available']);
  });

  it('merges lines shown under a name into the member once it answers to that name', () => {
    const floor = shop();
    const early = order('till-1', 1, ['chips']);
    floor.ready(ready(early, 'preparer-1'), T0); // partition unknown, two members: a panel of the name
    assert.deepEqual(texts(panel(floor, 'preparer-1')), ['Order ready till-1/1: chips']);
    const later = order('till-1', 2, ['chips']);
    floor.order(later, 0, T0);
    floor.ready(ready(later, 'preparer-1'), T0);
    const preparers = floor.view(T0).panels.filter((p) => p.kind === 'preparer');
    assert.deepEqual(
      preparers.map((p) => p.title),
      ['chippy-preparer bbbb', 'preparer-1'],
    );
    assert.deepEqual(texts(panel(floor, 'preparer-1')), [
      'Order ready till-1/1: chips',
      'Order ready till-1/2: chips',
    ]);
  });

  it('removes the panel of a member that left the group', () => {
    const floor = shop();
    floor.setPreparers(
      [{ memberId: 'm-a', label: 'chippy-preparer aaaa', partitions: [0, 1, 2, 3, 4, 5] }],
      new Map(),
      T0,
    );
    const titles = floor.view(T0).panels.map((p) => p.title);
    assert.ok(titles.includes('chippy-preparer aaaa'));
    assert.ok(!titles.includes('chippy-preparer bbbb'));
  });

  it("keeps a till's orders in the order it took them, though partitions are read side by side", () => {
    const floor = new Floor();
    for (const count of [1, 3, 2, 4]) floor.order(order('till-1', count, ['chips']), count % 2, T0);
    assert.deepEqual(
      texts(panel(floor, 'till-1')).map((t) => t.split(':')[0]),
      ['Order till-1/1', 'Order till-1/2', 'Order till-1/3', 'Order till-1/4'],
    );
  });

  it('keeps the last 40 lines, newest at the bottom', () => {
    const floor = new Floor();
    for (let i = 1; i <= 100; i++) floor.order(order('till-1', i, ['chips']), 0, T0);
    const lines = texts(panel(floor, 'till-1'));
    assert.equal(lines.length, 40);
    assert.equal(lines[0], 'Order till-1/61: chips');
    assert.equal(lines.at(-1), 'Order till-1/100: chips');
  });

  it('counts the rate over the last minute only', () => {
    const floor = new Floor();
    for (let i = 1; i <= 30; i++) floor.order(order('till-1', i, ['chips']), 0, T0 + i * 1000);
    const rate = (at: number) => floor.view(at).panels[0]?.rate;
    assert.equal(rate(T0 + 30_000), 30);
    assert.equal(rate(T0 + 75_000), 15);
    assert.equal(rate(T0 + 200_000), 0);
  });

  it('puts tills first, then preparers, then cooks, in natural order', () => {
    const floor = shop();
    for (const till of ['till-10', 'till-2', 'till-1']) floor.order(order(till, 1, ['chips']), 5, T0);
    assert.deepEqual(
      floor.view(T0).panels.map((p) => p.title),
      ['till-1', 'till-2', 'till-10', 'chippy-preparer aaaa', 'chippy-preparer bbbb', 'chippy-cook cccc'],
    );
  });

  it('reports only the panels that changed since the last frame', () => {
    const floor = shop();
    const sent = new Map<string, string>();
    assert.equal(floor.changes(T0, sent).changed.length, 3);
    assert.equal(floor.changes(T0, sent).changed.length, 0);
    floor.order(order('till-1', 1, ['chips']), 0, T0);
    const { order: ids, changed } = floor.changes(T0, sent);
    assert.deepEqual(
      changed.map((p) => p.title),
      ['till-1', 'chippy-preparer aaaa'],
    );
    assert.equal(ids.length, 4);
  });

  it('forgets the oldest orders beyond its memory, and still shows their later events', () => {
    const floor = new Floor({ ordersRemembered: 2 });
    const first = order('till-1', 1, ['cod & chips']);
    floor.order(first, 0, T0);
    floor.order(order('till-1', 2, ['chips']), 0, T0);
    floor.order(order('till-1', 3, ['chips']), 0, T0);
    floor.ready(ready(first, 'preparer-9'), T0);
    assert.deepEqual(texts(panel(floor, 'preparer-9')), ['Order ready till-1/1: cod & chips']);
  });
});

describe('a flood of distinct names from the topics', () => {
  it('keeps at most 64 till panels (the quietest goes) and 16 loose preparer panels, read or not', () => {
    const floor = new Floor();
    for (let i = 0; i < 10_000; i++) {
      const o = order(`flood-${i}`, 1, ['chips'], `id-${i}`);
      floor.order(o, 0, T0 + i);
      floor.ready(ready(o, `preparer-${i}`), T0 + i);
    }
    const panels = floor.view(T0 + 10_000).panels;
    const tills = panels.filter((p) => p.kind === 'till');
    assert.equal(tills.length, 64);
    assert.ok(
      tills.some((p) => p.title === 'flood-9999'),
      'the newest till stays',
    );
    assert.equal(panels.filter((p) => p.kind === 'preparer').length, 16);
  });
});
