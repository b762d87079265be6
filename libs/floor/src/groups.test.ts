import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssignerProtocol } from 'kafkajs';
import { readGroups, type GroupsAdmin } from './groups.js';

const assignment = (topic: string, partitions: number[]) =>
  AssignerProtocol.MemberAssignment.encode({
    version: 0,
    assignment: { [topic]: partitions },
    userData: Buffer.alloc(0),
  });

const member = (memberId: string, clientId: string, memberAssignment: Buffer) => ({
  memberId,
  clientId,
  clientHost: '/127.0.0.1',
  memberMetadata: Buffer.alloc(0),
  memberAssignment,
});

describe('reading the groups', () => {
  it("gives each member its partitions and the preparers' lag per partition of orders", async () => {
    const admin = {
      describeGroups: () =>
        Promise.resolve({
          groups: [
            {
              groupId: 'p-preparers',
              state: 'Stable',
              protocol: 'RoundRobinAssigner',
              protocolType: 'consumer',
              errorCode: 0,
              members: [
                member('chippy-preparer-aaaa1111-x', 'chippy-preparer', assignment('p-orders', [2, 0])),
                member('chippy-preparer-bbbb2222-y', 'chippy-preparer', Buffer.alloc(0)),
              ],
            },
            {
              groupId: 'p-cooks',
              state: 'Stable',
              protocol: 'RoundRobinAssigner',
              protocolType: 'consumer',
              errorCode: 0,
              members: [
                member('chippy-cook-cccc3333-z', 'chippy-cook', assignment('p-cook-requests', [0, 1])),
              ],
            },
          ],
        }),
      fetchOffsets: () =>
        Promise.resolve([
          {
            topic: 'p-orders',
            partitions: [
              { partition: 0, offset: '10', metadata: null },
              { partition: 1, offset: '-1', metadata: null },
            ],
          },
        ]),
      fetchTopicOffsets: () =>
        Promise.resolve([
          { partition: 0, offset: '15', high: '15', low: '0' },
          { partition: 1, offset: '7', high: '7', low: '2' },
          { partition: 2, offset: '0', high: '0', low: '0' },
        ]),
    } as unknown as GroupsAdmin;
    const groups = await readGroups(admin, {
      preparers: 'p-preparers',
      cooks: 'p-cooks',
      orders: 'p-orders',
      cookRequests: 'p-cook-requests',
    });
    assert.deepEqual(groups.preparers, [
      { memberId: 'chippy-preparer-aaaa1111-x', label: 'chippy-preparer aaaa1111', partitions: [0, 2] },
      // Still joining: no assignment yet.
      { memberId: 'chippy-preparer-bbbb2222-y', label: 'chippy-preparer bbbb2222', partitions: [] },
    ]);
    assert.deepEqual(groups.cooks, [
      { memberId: 'chippy-cook-cccc3333-z', label: 'chippy-cook cccc3333', partitions: [0, 1] },
    ]);
    // Partition 1: nothing committed, so what is retained (7 - 2) is waiting.
    assert.deepEqual(
      [...groups.lag],
      [
        [0, 5],
        [1, 5],
        [2, 0],
      ],
    );
  });
});
