import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Portions } from '@chippy/messaging';
import { nonZero, requestBatch, restockBatch, type StockLevels } from './batch.js';

const stock: StockLevels = { target: { cod: 10, chips: 20 }, lowWater: { cod: 3, chips: 6 } };
const levels = (cod: number, chips: number, plaice = 0): Portions => ({ cod, chips, plaice });

const need = levels;

test('plaice is cooked exactly as short, whatever the cabinet holds', () => {
  assert.deepEqual(requestBatch({ plaice: 2 }, need(0, 0, 2), levels(10, 20), stock.target), levels(0, 0, 2));
  assert.deepEqual(
    requestBatch({ plaice: 1 }, need(0, 0, 1), levels(0, 0, 1), stock.target),
    levels(0, 0, 1),
  );
});

test('cod and chips the order lacks are cooked up to the target', () => {
  assert.deepEqual(
    requestBatch({ cod: 1, chips: 2 }, need(1, 2), levels(0, 1), stock.target),
    levels(10, 19),
  );
});

test('a lack beyond the target is cooked in full', () => {
  assert.deepEqual(requestBatch({ cod: 14 }, need(14, 0), levels(2, 20), stock.target), levels(12, 0));
});

test('food that arrived since the preparer looked is not cooked again', () => {
  assert.deepEqual(
    requestBatch({ cod: 1, chips: 1 }, need(1, 1), levels(10, 20), stock.target),
    levels(0, 0),
  );
  assert.deepEqual(requestBatch({ chips: 3 }, need(0, 3), levels(0, 25), stock.target), levels(0, 0));
});

test('items the order does not need are not cooked, however low', () => {
  assert.deepEqual(requestBatch({ plaice: 1 }, need(0, 1, 1), levels(0, 5), stock.target), levels(0, 0, 1));
});

test('unknown items and negative counts in a request are ignored', () => {
  assert.deepEqual(
    requestBatch({ haddock: 3, plaice: -2 }, need(0, 0), levels(0, 0), stock.target),
    levels(0, 0),
  );
});

test('a restock tops up only the items below their low-water mark, to the target', () => {
  assert.deepEqual(restockBatch(levels(2, 6, 1), stock), levels(8, 0));
  assert.deepEqual(restockBatch(levels(3, 5), stock), levels(0, 15));
  assert.deepEqual(restockBatch(levels(0, 0), stock), levels(10, 20));
  assert.deepEqual(restockBatch(levels(3, 6), stock), levels(0, 0));
});

test('a batch is shown with only the items fried', () => {
  assert.deepEqual(nonZero(levels(0, 4, 1)), { chips: 4, plaice: 1 });
});
