import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffMenuError, portionsFor } from './menu.js';

describe('portionsFor', () => {
  it('an order takes the portions of all its items', () => {
    assert.deepEqual(portionsFor(['cod & chips', 'chips & chips', 'plaice & chips']), {
      cod: 1,
      chips: 4,
      plaice: 1,
    });
    assert.deepEqual(portionsFor([]), { cod: 0, chips: 0, plaice: 0 });
  });

  it('an item not on the menu is an OffMenuError naming it', () => {
    assert.throws(
      () => portionsFor(['chips', 'haggis']),
      (error: unknown) => error instanceof OffMenuError && error.message === '"haggis" is not on the menu',
    );
  });

  it("Object.prototype's names are off the menu, not zero portions", () => {
    for (const item of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      assert.throws(() => portionsFor([item]), OffMenuError, item);
    }
  });
});
