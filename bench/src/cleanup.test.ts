import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonPrefix } from './cleanup.js';

describe('commonPrefix', () => {
  it("the run's prefixes share the run's own: one walk of Redis finds them all", () => {
    assert.equal(commonPrefix(['bench-26-max-', 'bench-26-probe-100-', 'bench-26-sink-']), 'bench-26-');
    assert.equal(commonPrefix(['bench-26-max-']), 'bench-26-max-');
    assert.equal(commonPrefix(['a', 'b']), '');
    assert.equal(commonPrefix([]), '');
  });
});
