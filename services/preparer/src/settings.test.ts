import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchSizeFor } from './settings.js';

test('batch size 0 is one message at demo pace and 500 flat out; a size set is kept', () => {
  assert.equal(batchSizeFor(0, 1), 1);
  assert.equal(batchSizeFor(0, 0.1), 1);
  assert.equal(batchSizeFor(0, 0), 500);
  assert.equal(batchSizeFor(20, 1), 20);
  assert.equal(batchSizeFor(20, 0), 20);
});
