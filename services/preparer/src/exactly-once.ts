import { transactionalProducerOptions, type ConsumedMessage } from '@chippy/kafka';
import { errorMessage, type Logger } from '@chippy/runtime';
import type { Admin, ProducerConfig } from 'kafkajs';
import type { OrderLedger, TransactionLedger } from './ledger.js';
import type { BatchOutcome } from './preparer.js';
import {
  belowCommitted,
  committedOffsetIn,
  inTransaction,
  PartitionProducers,
  transactionalIdFor,
  type Closable,
  type TransactionLike,
} from './transactions.js';

/** One input partition's transactional producer, as its batches use it. */
export interface PartitionProducer<Tx> extends Closable {
  transaction(): Promise<Tx>;
  /** The group's committed offset of the partition once this producer was ready; null if it has none. */
  committed: string | null;
}

/** The parts of a kafkajs producer the factory uses. */
interface TransactionalProducer<Tx> extends Closable {
  connect(): Promise<void>;
  transaction(): Promise<Tx>;
}

export interface TransactionalProducersOptions<Tx> {
  kafka: { producer(config: ProducerConfig): TransactionalProducer<Tx> };
  admin: Pick<Admin, 'fetchOffsets'>;
  groupId: string;
  topicPrefix: string;
  logger: Logger;
}

/**
 * One transactional producer per assigned input partition, its id that partition's, made on the
 * partition's first batch after each group join, with the group's committed offset of the partition.
 */
export function transactionalProducers<Tx extends TransactionLike>({
  kafka,
  admin,
  groupId,
  topicPrefix,
  logger,
}: TransactionalProducersOptions<Tx>): PartitionProducers<PartitionProducer<Tx>> {
  return new PartitionProducers(async (topic, partition) => {
    const transactionalId = transactionalIdFor(topicPrefix, topic, partition);
    const producer = kafka.producer(transactionalProducerOptions(transactionalId));
    await producer.connect();
    try {
      // kafkajs registers the transactional id (InitProducerId) only when a first transaction begins; an
      // empty one does it now. That fences the partition's previous owner and, as kafkajs retries
      // CONCURRENT_TRANSACTIONS, returns only once the broker has finished the partition's last transaction
      // (committed by the previous owner or by this preparer before the rebalance, or left open and aborted
      // now): its offset is in the group from then on.
      await (await producer.transaction()).abort();
      // Why read the offset again: kafkajs's consumer fetched it at the join without asking for stable
      // offsets (its OffsetFetch v1–v4 has no require_stable, KIP-447), so in the moment between a commit
      // and its markers it starts at the previous offset and hands us a message whose transaction already
      // committed. Handling it again would hand an order over twice; messages below this offset are skipped.
      const answer = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = committedOffsetIn(answer, topic, partition);
      logger.info({ topic, partition, transactionalId, committed }, 'transactional producer connected');
      // PartitionProducers lets nothing stop a close (a rebalance or shutdown goes on); a failure is said here.
      const disconnect = () =>
        producer.disconnect().catch((error: unknown) => {
          logger.warn(
            { topic, partition, err: errorMessage(error) },
            'transactional producer disconnect failed',
          );
        });
      return { transaction: () => producer.transaction(), committed, disconnect };
    } catch (error) {
      // The error that stopped the start is the one worth reporting; this producer is discarded anyway.
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  });
}

export interface ExactlyOnceOptions<Tx extends TransactionLike> {
  groupId: string;
  producers: PartitionProducers<PartitionProducer<Tx>>;
  /** The ledger as one transaction sees it: a fresh one for each. */
  ledger: () => TransactionLedger;
  /** Prepares a batch, sending everything it sends through `tx`. */
  prepare: (
    messages: readonly ConsumedMessage[],
    tx: NoInfer<Tx>,
    ledger: OrderLedger,
  ) => Promise<BatchOutcome>;
  transactionEnded: (outcome: 'committed' | 'aborted') => void;
  logger: Logger;
}

export interface ExactlyOnce {
  /**
   * A batch of one partition: its outputs and its last offset in one transaction of the partition's
   * producer. Undefined when every message of it was committed before.
   */
  prepare(messages: readonly ConsumedMessage[]): Promise<BatchOutcome | undefined>;
  /**
   * The group rebalanced: every partition's producer is made afresh, for a partition kept too, because
   * making it is what waits for the partition's last transaction and reads the committed offset.
   */
  rebalanced(): Promise<void>;
}

/** DELIVERY=exactly-once: each batch in a transaction of its input partition's producer. */
export function exactlyOnce<Tx extends TransactionLike>(options: ExactlyOnceOptions<Tx>): ExactlyOnce {
  const { groupId, producers, logger } = options;
  return {
    async prepare(messages) {
      const { topic, partition } = messages[0]!;
      const producer = await producers.get(topic, partition);
      const { committed } = producer;
      const fresh = messages.filter((m) => !belowCommitted(m.offset, committed));
      if (fresh.length < messages.length) {
        const skipped = messages.filter((m) => belowCommitted(m.offset, committed));
        logger.info(
          { topic, partition, offsets: skipped.map((m) => m.offset), committed },
          'offset already committed; skipped',
        );
      }
      if (fresh.length === 0) return undefined;
      const last = fresh.at(-1)!;
      const view = options.ledger();
      let outcome;
      try {
        outcome = await inTransaction(
          () => producer.transaction(),
          { consumerGroupId: groupId, topic, partition, offset: last.offset },
          (tx) => options.prepare(fresh, tx, view.ledger),
          (abortError) => {
            // Fenced (another preparer owns the partition now) or in an unknown state: not used again, and
            // no new producer for this partition until the group assigns it afresh.
            logger.warn(
              { topic, partition, err: errorMessage(abortError) },
              'abort failed; producer dropped',
            );
            void producers.drop(topic, partition, { untilRebalance: true });
          },
        );
      } catch (error) {
        options.transactionEnded('aborted');
        logger.warn(
          { topic, partition, offset: fresh[0]!.offset, last: last.offset, err: errorMessage(error) },
          'transaction aborted',
        );
        throw error;
      }
      options.transactionEnded('committed');
      await view.afterCommit();
      return outcome;
    },
    rebalanced: () => producers.closeAll(),
  };
}
