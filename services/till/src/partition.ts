/** How a till spreads its orders over the partitions of `orders`. */
export const partitionModes = ['order_id', 'till'] as const;

/**
 * The partition a till writes to with `--partition-by till`, as in the original demo3 where each till
 * had its own partition: `till-1` → 0, `till-2` → 1, … (wrapping round the partition count); a till
 * name without a number at the end gets a partition from a hash of its name.
 */
export function tillPartition(tillId: string, partitions: number): number {
  if (partitions < 1) throw new Error(`a topic has at least one partition, not ${partitions}`);
  const number = /(\d+)$/.exec(tillId)?.[1];
  if (number !== undefined) return (Number(number) - 1 + partitions) % partitions;
  let hash = 0;
  for (const char of tillId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % partitions;
}
