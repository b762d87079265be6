/**
 * Exactly-once consume → produce (DELIVERY=exactly-once): the parts. Each batch a preparer consumes from
 * one partition is handled in one Kafka transaction: everything it produces (OrderReady, CookRequest, dead
 * letters) and the consumer group's offset past its last message commit together or not at all. Readers
 * with `read_committed` (kafkajs's default) never see what an aborted or unfinished transaction wrote.
 * exactly-once.ts puts the parts together.
 *
 * Fencing: the transactional id belongs to the input partition, not to the preparer. Whoever is assigned
 * a partition takes its id over, which fences the previous owner (a "zombie" that was declared dead while
 * still working: its next send or commit fails) and aborts whatever transaction that owner left open.
 * kafkajs cannot fence by consumer group generation instead (KIP-447): it sends TxnOffsetCommit v0/v1,
 * which carry no generation or member id, so a per-preparer id would leave zombies unfenced.
 */

/** The transactional id for one input partition, e.g. `shop1-preparers-orders-3` (prefix `shop1-`). */
export function transactionalIdFor(topicPrefix: string, topic: string, partition: number): string {
  const bare = topicPrefix && topic.startsWith(topicPrefix) ? topic.slice(topicPrefix.length) : topic;
  return `${topicPrefix}preparers-${bare}-${partition}`;
}

/** The offset a group commits for a consumed message: the next one to read. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * The group's committed offset of one partition in `admin.fetchOffsets`' answer, or null if there is none
 * (kafkajs says `-1`).
 */
export function committedOffsetIn(
  answer: { topic: string; partitions: { partition: number; offset: string }[] }[],
  topic: string,
  partition: number,
): string | null {
  const offset = answer
    .find((t) => t.topic === topic)
    ?.partitions.find((p) => p.partition === partition)?.offset;
  return offset === undefined || BigInt(offset) < 0n ? null : offset;
}

/**
 * Whether a consumed message lies below the group's committed offset, i.e. was handled in a transaction
 * that committed: it must be skipped, not handled again. (Why the consumer can hand us such a message at
 * all: see `transactionalProducers` in exactly-once.ts.)
 */
export function belowCommitted(offset: string, committed: string | null): boolean {
  return committed !== null && BigInt(offset) < BigInt(committed);
}

/** What `transaction.sendOffsets` takes to commit consumption up to `offset` as part of the transaction. */
export function offsetsFor(consumerGroupId: string, topic: string, partition: number, offset: string) {
  return {
    consumerGroupId,
    topics: [{ topic, partitions: [{ partition, offset: nextOffset(offset) }] }],
  };
}

/** The parts of a kafkajs transaction this module uses (so tests can pass a fake). */
export interface TransactionLike {
  sendOffsets(offsets: ReturnType<typeof offsetsFor>): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** The last message of a batch: the group's offset goes past it. */
export interface Consumed {
  consumerGroupId: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Runs `work` in a transaction begun by `begin`, then sends the group's offset past `consumed` in the same
 * transaction and commits it. On any error the transaction is aborted and the error rethrown, so the
 * batch is redelivered; `onAbortFailed` hears of an abort that failed too (e.g. the producer was fenced,
 * which makes it unusable).
 */
export async function inTransaction<T, Tx extends TransactionLike>(
  begin: () => Promise<Tx>,
  consumed: Consumed,
  work: (tx: Tx) => Promise<T>,
  onAbortFailed: (error: unknown) => void = () => undefined,
): Promise<T> {
  const tx = await begin();
  try {
    const result = await work(tx);
    const { consumerGroupId, topic, partition, offset } = consumed;
    await tx.sendOffsets(offsetsFor(consumerGroupId, topic, partition, offset));
    await tx.commit();
    return result;
  } catch (error) {
    await tx.abort().catch(onAbortFailed);
    throw error;
  }
}

/** Something to disconnect (a kafkajs producer). */
export interface Closable {
  disconnect(): Promise<void>;
}

/**
 * One transactional producer per assigned input partition, made on first use. `closeAll`, on each group
 * join, drops them all. `drop` discards one that failed; with `untilRebalance` no new one is made for that
 * partition until the next `closeAll`: a preparer whose producer was fenced has lost the partition, and a
 * new producer would fence the preparer that has it now.
 */
export class PartitionProducers<P extends Closable> {
  private readonly producers = new Map<string, Promise<P>>();
  private readonly blocked = new Set<string>();

  constructor(private readonly make: (topic: string, partition: number) => Promise<P>) {}

  private static key(topic: string, partition: number) {
    return `${topic}\u0000${partition}`;
  }

  get(topic: string, partition: number): Promise<P> {
    const key = PartitionProducers.key(topic, partition);
    if (this.blocked.has(key)) {
      // A fresh producer would take the id over and fence the preparer that owns the partition now.
      return Promise.reject(new Error(`no producer for ${topic}[${partition}] until the group rebalances`));
    }
    let producer = this.producers.get(key);
    if (!producer) {
      producer = this.make(topic, partition);
      // A producer that failed to start is not kept: the next message tries again.
      producer.catch(() => this.producers.delete(key));
      this.producers.set(key, producer);
    }
    return producer;
  }

  get size(): number {
    return this.producers.size;
  }

  async drop(topic: string, partition: number, { untilRebalance = false } = {}): Promise<void> {
    const key = PartitionProducers.key(topic, partition);
    if (untilRebalance) this.blocked.add(key);
    const producer = this.producers.get(key);
    this.producers.delete(key);
    // Nothing stops a drop: a producer that failed to start was the asking batch's error, and one that
    // fails to disconnect says so itself (see transactionalProducers).
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  /** Disconnects every producer and lifts every block: the group has assigned the partitions afresh. */
  async closeAll(): Promise<void> {
    this.blocked.clear();
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(all.map((producer) => producer.then((p) => p.disconnect()).catch(() => undefined)));
  }
}
