import { computeLag } from '@chippy/messaging';
import { AssignerProtocol, type Admin } from 'kafkajs';
import type { GroupMember } from './group-panels.js';

/** `chippy-preparer-973e56a5-bce1-…` of client `chippy-preparer` → `chippy-preparer 973e56a5`. */
export function memberLabel(memberId: string, clientId: string): string {
  const rest = memberId.startsWith(`${clientId}-`) ? memberId.slice(clientId.length + 1) : memberId;
  return `${clientId} ${rest.slice(0, 8)}`;
}

/** The partitions of `topic` in a member's assignment; a member still joining has none. */
export function assignedPartitions(assignment: Buffer, topic: string): number[] {
  if (assignment.length === 0) return [];
  const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
  return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
}

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
