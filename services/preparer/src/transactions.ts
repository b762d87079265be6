/**
 * Exactly-once consume → produce (DELIVERY=exactly-once). Each message a preparer consumes is handled in
 * one Kafka transaction: everything it produces (OrderReady, CookRequest, dead letters) and the consumer
 * group's offset for the message commit together or not at all. Readers with `read_committed` (kafkajs's
 * default) never see what an aborted or unfinished transaction wrote.
 *
 * Fencing: the transactional id belongs to the input partition, not to the preparer. Whoever is assigned
 * a partition takes its id over, which fences the previous owner (a "zombie" that was declared dead while
 * still working: its next send or commit fails) and aborts whatever transaction that owner left open.
 * kafkajs cannot fence by consumer group generation instead (KIP-447): it sends TxnOffsetCommit v0/v1,
 * which carry no generation or member id, so a per-preparer id would leave zombies unfenced.
 */

export type Delivery = 'at-least-once' | 'exactly-once';
export type Dedup = 'ledger' | 'none';

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
 * all: see `PartitionProducers`' `make` in main.ts.)
 */
export function belowCommitted(offset: string, committed: string | null): boolean {
  return committed !== null && BigInt(offset) < BigInt(committed);
}

/** What `transaction.sendOffsets` takes to commit one consumed message as part of the transaction. */
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

export interface Consumed {
  consumerGroupId: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Runs `work` in a transaction begun by `begin`, then commits the consumed message's offset in the same
 * transaction and commits it. On any error the transaction is aborted and the error rethrown, so the
 * message is redelivered; `onAbortFailed` hears of an abort that failed too (e.g. the producer was fenced,
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
 * One transactional producer per assigned input partition, made on first use. `retain` drops those for
 * partitions no longer assigned (`closeAll`, on each group join, drops them all). `drop` discards one that
 * failed; with `untilRebalance` no new one is made for that partition until the next `retain`: a preparer
 * whose producer was fenced has lost the partition, and a new producer would fence the preparer that has
 * it now.
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
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  /** Keeps only the producers of `assignment` (topic → partitions), disconnecting the rest. */
  async retain(assignment: Record<string, number[]>): Promise<void> {
    const keep = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((p) => PartitionProducers.key(topic, p)),
      ),
    );
    this.blocked.clear();
    const gone = [...this.producers.keys()].filter((key) => !keep.has(key));
    await Promise.all(
      gone.map((key) => {
        const [topic, partition] = key.split('\u0000');
        return this.drop(topic!, Number(partition));
      }),
    );
  }

  async closeAll(): Promise<void> {
    await this.retain({});
  }
}
