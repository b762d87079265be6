import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tillPartition } from './partition.js';

describe('a till partition', () => {
  it('gives till-1, till-2, till-3 their own partition of three, as in demo3', () => {
    assert.deepEqual(
      ['till-1', 'till-2', 'till-3'].map((t) => tillPartition(t, 3)),
      [0, 1, 2],
    );
  });

  it('wraps round when there are more tills than partitions', () => {
    assert.equal(tillPartition('till-4', 3), 0);
    assert.equal(tillPartition('till-0', 3), 2);
  });

  it('hashes a name without a number to the same partition every time, within range', () => {
    const p = tillPartition('front-counter', 6);
    assert.ok(p >= 0 && p < 6);
    assert.equal(tillPartition('front-counter', 6), p);
  });

  it('refuses a topic without partitions', () => {
    assert.throws(() => tillPartition('till-1', 0), /at least one partition/);
  });
});
