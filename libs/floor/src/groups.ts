import { assignedPartitions, computeLag, memberLabel } from '@chippy/kafka';
import type { Admin } from 'kafkajs';
import type { GroupMember } from './group-panels.js';

export type GroupsAdmin = Pick<Admin, 'describeGroups' | 'fetchOffsets' | 'fetchTopicOffsets'>;

export interface GroupsSnapshot {
  preparers: GroupMember[];
  cooks: GroupMember[];
  /** The preparers' lag on each partition of `orders`. */
  lag: Map<number, number>;
}

/**
 * Who is in the preparers and cooks groups, which partitions each holds, and the preparers' lag: three
 * admin requests, no group joined.
 */
export async function readGroups(
  admin: GroupsAdmin,
  names: { preparers: string; cooks: string; orders: string; cookRequests: string },
): Promise<GroupsSnapshot> {
  const [described, committed, ends] = await Promise.all([
    admin.describeGroups([names.preparers, names.cooks]),
    admin.fetchOffsets({ groupId: names.preparers, topics: [names.orders] }),
    admin.fetchTopicOffsets(names.orders),
  ]);
  const members = (groupId: string, topic: string): GroupMember[] =>
    (described.groups.find((g) => g.groupId === groupId)?.members ?? []).map((m) => ({
      memberId: m.memberId,
      label: memberLabel(m.memberId, m.clientId),
      partitions: assignedPartitions(m.memberAssignment, topic),
    }));
  const offsets = new Map(
    (committed.find((t) => t.topic === names.orders)?.partitions ?? []).map((p) => [p.partition, p.offset]),
  );
  const lag = new Map(
    ends.map(({ partition, high, low }) => [
      partition,
      computeLag(high, offsets.get(partition) ?? '-1', low),
    ]),
  );
  return {
    preparers: members(names.preparers, names.orders),
    cooks: members(names.cooks, names.cookRequests),
    lag,
  };
}
