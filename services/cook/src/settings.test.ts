import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stockPolicy, stockPolicyProblem } from './settings.js';

const defaults = {
  targetCod: 10,
  targetChips: 20,
  lowWaterCod: 3,
  lowWaterChips: 6,
  restockInterval: 0.5,
  fryerCapacity: 60,
};

describe('the stock policy settings', () => {
  it('the stock policy comes from the settings, the fry time from TIME_SCALE', () => {
    assert.deepEqual(stockPolicy(defaults, 0.25), {
      standard: { cod: 10, chips: 20 },
      minLowWater: { cod: 3, chips: 6 },
      capacity: 60,
      fryMaxSeconds: 0.8,
      lookSeconds: 0.5,
    });
  });

  it('a low-water mark not below its standard level is named with both settings', () => {
    assert.equal(
      stockPolicyProblem({ ...defaults, lowWaterChips: 20 }),
      'invalid LOW_WATER_CHIPS (--low-water-chips): 20 is not below TARGET_CHIPS (--target-chips) 20',
    );
    assert.throws(() => stockPolicy({ ...defaults, lowWaterChips: 20 }, 1), /is not below TARGET_CHIPS/);
  });

  it('a fryer too small for the standard levels is named', () => {
    assert.equal(
      stockPolicyProblem({ ...defaults, fryerCapacity: 25 }),
      'invalid FRYER_CAPACITY (--fryer-capacity): 25 cannot hold the standard levels (10 cod + 20 chips)',
    );
  });
});
