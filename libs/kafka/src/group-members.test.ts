import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssignerProtocol } from 'kafkajs';
import { assignedPartitions, memberLabel } from './group-members.js';

const assignment = (topic: string, partitions: number[]) =>
  AssignerProtocol.MemberAssignment.encode({
    version: 0,
    assignment: { [topic]: partitions },
    userData: Buffer.alloc(0),
  });

describe('assignedPartitions', () => {
  it('is empty for a member still joining', () => {
    assert.deepEqual(assignedPartitions(Buffer.alloc(0), 'orders'), []);
  });
  it('lists the topic partitions, sorted, and ignores other topics', () => {
    assert.deepEqual(assignedPartitions(assignment('orders', [4, 0, 2]), 'orders'), [0, 2, 4]);
    assert.deepEqual(assignedPartitions(assignment('cooked', [0]), 'orders'), []);
  });
});

describe('memberLabel', () => {
  it('shortens the member id after the client id', () => {
    assert.equal(
      memberLabel('chippy-preparer-973e56a5-bce1-44b0', 'chippy-preparer'),
      'chippy-preparer 973e56a5',
    );
  });
});
