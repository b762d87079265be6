import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTopicPrefix } from './settings.js';

describe('parseTopicPrefix', () => {
  it('takes what Kafka allows in a topic name', () => {
    assert.equal(parseTopicPrefix(''), '');
    assert.equal(parseTopicPrefix('shop-1.test_'), 'shop-1.test_');
  });

  it('refuses characters Kafka refuses, and prefixes too long for any topic', () => {
    assert.throws(() => parseTopicPrefix('my shop/'), /only ASCII letters, digits/);
    assert.throws(() => parseTopicPrefix('café-'), /only ASCII letters, digits/);
    assert.throws(() => parseTopicPrefix('x'.repeat(240)), /too long/);
  });
});
