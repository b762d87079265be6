import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchSizeFor, kafkaClientProblem } from './settings.js';

test('batch size 0 is one message at demo pace and 500 flat out; a size set is kept', () => {
  assert.equal(batchSizeFor(0, 1), 1);
  assert.equal(batchSizeFor(0, 0.1), 1);
  assert.equal(batchSizeFor(0, 0), 500);
  assert.equal(batchSizeFor(20, 1), 20);
  assert.equal(batchSizeFor(20, 0), 20);
});

test('KAFKA_CLIENT=platformatic with DELIVERY=exactly-once is refused in one line naming both', () => {
  const problem = kafkaClientProblem({ kafkaClient: 'platformatic', delivery: 'exactly-once' });
  assert.ok(problem);
  assert.ok(!problem.includes('\n'));
  assert.match(problem, /KAFKA_CLIENT=platformatic \(--kafka-client\).*DELIVERY=exactly-once \(--delivery\)/);
  assert.equal(kafkaClientProblem({ kafkaClient: 'platformatic', delivery: 'at-least-once' }), undefined);
  assert.equal(kafkaClientProblem({ kafkaClient: 'kafkajs', delivery: 'exactly-once' }), undefined);
  assert.equal(kafkaClientProblem({ kafkaClient: 'platformatic' }), undefined);
});
