import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scaledDelay } from './time-scale.js';

describe('scaledDelay', () => {
  it('scales a uniform duration in seconds to milliseconds', () => {
    assert.equal(
      scaledDelay(1, 1.5, 1, () => 0),
      1000,
    );
    assert.equal(
      scaledDelay(1, 1.5, 1, () => 0.5),
      1250,
    );
    assert.equal(
      scaledDelay(3, 3.2, 0.1, () => 1),
      320,
    );
    assert.equal(
      scaledDelay(3, 3.2, 0, () => 0.7),
      0,
    );
  });
});
