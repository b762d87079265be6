import { AssignerProtocol } from 'kafkajs';

/**
 * A group member for people: every preparer has the same client id, so the client id and the start of
 * the member id. `chippy-preparer-973e56a5-bce1-…` of client `chippy-preparer` → `chippy-preparer 973e56a5`.
 */
export function memberLabel(memberId: string, clientId: string): string {
  const rest = memberId.startsWith(`${clientId}-`) ? memberId.slice(clientId.length + 1) : memberId;
  return `${clientId} ${rest.slice(0, 8)}`;
}

/** The partitions of `topic` in a member's assignment (from describeGroups); a member still joining has none. */
export function assignedPartitions(assignment: Buffer, topic: string): number[] {
  if (assignment.length === 0) return [];
  const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
  return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
}
