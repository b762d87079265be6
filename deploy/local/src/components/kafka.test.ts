import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newClusterId } from './kafka.js';

describe('newClusterId', () => {
  it('cluster ids are 22 base64url characters and never look like a command-line option', () => {
    for (let i = 0; i < 2000; i++) {
      const id = newClusterId();
      assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
