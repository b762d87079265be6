import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coordinatorUnreachable } from './consumer.js';

/** An error as kafkajs names it (its error classes are not exported). */
function kafkajsError(name: string, message: string, cause?: Error): Error {
  const error = new Error(message, { cause });
  error.name = name;
  return error;
}

describe('coordinatorUnreachable', () => {
  it("a consumer crashed on kafkajs's failed coordinator lookup is run again; any other crash is not", () => {
    // As kafkajs reports it: its retrier wraps the lookup's error (cluster/index.js, findGroupCoordinator).
    const lookup = kafkajsError('KafkaJSGroupCoordinatorNotFound', 'Failed to find group coordinator');
    assert.equal(
      coordinatorUnreachable(kafkajsError('KafkaJSNonRetriableError', lookup.message, lookup)),
      true,
    );
    assert.equal(coordinatorUnreachable(kafkajsError('KafkaJSNonRetriableError', lookup.message)), true);
    const other = kafkajsError(
      'KafkaJSNonRetriableError',
      'The group member needs to have a valid member id',
    );
    assert.equal(coordinatorUnreachable(other), false);
    assert.equal(coordinatorUnreachable('Failed to find group coordinator'), false);
  });
});
