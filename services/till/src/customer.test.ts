import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { menu } from '@chippy/shop';
import { orderFor, paymentFor, rollDie } from './customer.js';

describe('the customer', () => {
  it('each die roll gives the original order', () => {
    assert.deepEqual(orderFor(6, true), [menu.codAndChips, menu.plaiceAndChips]);
    assert.deepEqual(orderFor(5, true), [menu.codAndChips, menu.chipsAndChips]);
    assert.deepEqual(orderFor(4, true), [menu.chips]);
    for (const die of [1, 2, 3]) assert.deepEqual(orderFor(die, true), [menu.codAndChips]);
  });

  it('without plaice on the menu a 6 is plain cod & chips', () => {
    assert.deepEqual(orderFor(6, false), [menu.codAndChips]);
  });

  it('the die covers 1 to 6 evenly', () => {
    const counts = new Map<number, number>();
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 60_000; i++) {
      const die = rollDie(random);
      counts.set(die, (counts.get(die) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), [1, 2, 3, 4, 5, 6]);
    for (let die = 1; die <= 6; die++)
      assert.ok(Math.abs((counts.get(die) ?? 0) - 10_000) < 500, `die ${die}`);
    assert.equal(
      rollDie(() => 0),
      1,
    );
    assert.equal(
      rollDie(() => 0.9999999),
      6,
    );
  });

  it('three customers in four pay by card, the rest cash', () => {
    assert.equal(
      paymentFor(() => 0),
      'card',
    );
    assert.equal(
      paymentFor(() => 0.7499),
      'card',
    );
    assert.equal(
      paymentFor(() => 0.75),
      'cash',
    );
  });
});
