import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchPaceProblem, batchSizeFor, kafkaClientProblem } from './settings.js';

describe("the preparer's settings", () => {
  it('batch size 0 is one message at demo pace and 500 flat out; a size set is kept', () => {
    assert.equal(batchSizeFor(0, 1), 1);
    assert.equal(batchSizeFor(0, 0.1), 1);
    assert.equal(batchSizeFor(0, 0), 500);
    assert.equal(batchSizeFor(20, 1), 20);
    assert.equal(batchSizeFor(20, 0), 20);
  });

  it('KAFKA_CLIENT=platformatic with DELIVERY=exactly-once is refused in one line naming both', () => {
    const problem = kafkaClientProblem({ kafkaClient: 'platformatic', delivery: 'exactly-once' });
    assert.ok(problem);
    assert.ok(!problem.includes('\n'));
    assert.match(
      problem,
      /KAFKA_CLIENT=platformatic \(--kafka-client\).*DELIVERY=exactly-once \(--delivery\)/,
    );
    assert.equal(kafkaClientProblem({ kafkaClient: 'platformatic', delivery: 'at-least-once' }), undefined);
    assert.equal(kafkaClientProblem({ kafkaClient: 'kafkajs', delivery: 'exactly-once' }), undefined);
    assert.equal(kafkaClientProblem({ kafkaClient: 'platformatic' }), undefined);
  });

  it('a batch that takes over half the hand-over limit to prepare at demo pace is refused, naming both settings', () => {
    assert.equal(batchPaceProblem({ batchSize: 0, timeScale: 1 }), undefined, 'one at a time');
    assert.equal(batchPaceProblem({ batchSize: 10, timeScale: 1 }), undefined, '10 s of a 20 s limit');
    assert.equal(batchPaceProblem({ batchSize: 20, timeScale: 0.02 }), undefined);
    assert.equal(
      batchPaceProblem({ batchSize: 10_000, timeScale: 0 }),
      undefined,
      'no preparing time at all',
    );
    assert.equal(
      batchPaceProblem({ batchSize: 11, timeScale: 1 }),
      'PREPARER_BATCH_SIZE (--batch-size) 11 at TIME_SCALE 1 takes up to 11 s to prepare, over half the 20 s a hand-over may take; use at most 10, or TIME_SCALE=0',
    );
  });
});
