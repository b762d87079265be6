import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stockLevels } from './settings.js';

const defaults = { targetCod: 10, targetChips: 20, lowWaterCod: 3, lowWaterChips: 6 };

test('stock levels come from the settings', () => {
  assert.deepEqual(stockLevels(defaults), {
    target: { cod: 10, chips: 20 },
    lowWater: { cod: 3, chips: 6 },
  });
});

test('a low-water mark not below its target is named with both settings', () => {
  assert.equal(
    stockLevels({ ...defaults, lowWaterChips: 20 }),
    'invalid LOW_WATER_CHIPS (--low-water-chips): 20 is not below TARGET_CHIPS (--target-chips) 20',
  );
});
