import type { Logger } from '@chippy/runtime';
import kafkajs, {
  Partitioners,
  type ICustomPartitioner,
  type Message,
  type Producer,
  type ProducerBatch,
  type ProducerConfig,
  type RecordMetadata,
  type TopicMessages,
  type Transaction,
} from 'kafkajs';

// kafkajs's error classes are not among the CommonJS exports Node can name.
const { KafkaJSError } = kafkajs;

/** How many times one send is made before its missing partitions are an error (one is the rule). */
const maxRounds = 5;

type SendBatch = (batch: ProducerBatch) => Promise<RecordMetadata[]>;

/**
 * kafkajs can resolve a send without writing all of it. A send that spans brokers keeps one answer per
 * broker across its retries, and a retry goes only to brokers without one
 * (node_modules/kafkajs/src/producer/sendMessages.js). When a broker fails mid-send and the new leader of its
 * partitions is a broker that already answered, the retry sends those partitions nowhere and the send
 * resolves: their messages are lost without an error (docs/architecture.md, "On a cluster of three brokers";
 * the same map is behind https://github.com/tulios/kafkajs/pull/1798).
 *
 * The answer names every partition written, so a send is whole when each partition it was given is in the
 * answer; WholeSends sends the rest again until it is. A repeat is safe: the producer is idempotent, so a
 * batch the failed broker did write is known to the new leader by its sequence numbers and not written twice.
 * Each message keeps the partition it was first given, through kafkajs's retries and these, so the check and
 * the repeat always mean the same partitions, keyed or not.
 */
export class WholeSends {
  private readonly partitions = new WeakMap<Message, number>();

  constructor(private readonly log: Logger) {}

  /** `config` with its partitioner (kafkajs's Java-compatible one if none) remembering what it chose. */
  config(config: ProducerConfig = {}): ProducerConfig {
    return {
      ...config,
      createPartitioner: this.remembering(config.createPartitioner ?? Partitioners.DefaultPartitioner),
    };
  }

  /** The producer made with `config(…)`, its sends and its transactions' sends made whole. */
  producer(producer: Producer): Producer {
    const sendBatch = this.whole(producer.sendBatch.bind(producer));
    const transaction = producer.transaction.bind(producer);
    return Object.assign(producer, {
      sendBatch,
      send: sendOf(sendBatch),
      transaction: async (): Promise<Transaction> => {
        const open = await transaction();
        const sendInTransaction = this.whole(open.sendBatch.bind(open));
        return { ...open, sendBatch: sendInTransaction, send: sendOf(sendInTransaction) };
      },
    });
  }

  private remembering(create: ICustomPartitioner): ICustomPartitioner {
    return () => {
      const choose = create();
      return (args) => {
        const known = this.partitions.get(args.message);
        if (known !== undefined) return known;
        const chosen = choose(args);
        this.partitions.set(args.message, chosen);
        return chosen;
      };
    };
  }

  private whole(sendBatch: SendBatch): SendBatch {
    return async (batch) => {
      const answers: RecordMetadata[] = [];
      let rest = batch.topicMessages ?? [];
      for (let round = 1; ; round += 1) {
        const answer = await sendBatch({ ...batch, topicMessages: rest });
        answers.push(...answer);
        // acks=0 answers nothing: there is nothing to check.
        if (batch.acks === 0) return answers;
        rest = this.unanswered(rest, answer);
        if (rest.length === 0) return answers;
        const partitions = this.partitionsOf(rest);
        if (round === maxRounds) {
          throw new KafkaJSError(`no answer for ${partitions.join(', ')} after ${round} sends`, {
            retriable: true,
          });
        }
        this.log.warn(
          { partitions, round },
          'a send came back without some of its partitions (a leader moved during it): sending those again',
        );
      }
    };
  }

  /** The messages whose partition is not in the answer. */
  private unanswered(sent: TopicMessages[], answer: RecordMetadata[]): TopicMessages[] {
    const answered = new Set(answer.map((a) => `${a.topicName}/${a.partition}`));
    return sent
      .map(({ topic, messages }) => ({
        topic,
        messages: messages.filter((m) => !answered.has(this.partitionOf(topic, m))),
      }))
      .filter(({ messages }) => messages.length > 0);
  }

  private partitionsOf(rest: TopicMessages[]): string[] {
    const names = rest.flatMap(({ topic, messages }) => messages.map((m) => this.partitionOf(topic, m)));
    return [...new Set(names)];
  }

  /** `topic/partition` of a message the partitioner placed ("?" if it never did: never answered). */
  private partitionOf(topic: string, message: Message): string {
    return `${topic}/${this.partitions.get(message) ?? '?'}`;
  }
}

/** kafkajs's `send` is a `sendBatch` of one topic (node_modules/kafkajs/src/producer/messageProducer.js). */
const sendOf =
  (sendBatch: SendBatch): Producer['send'] =>
  ({ topic, messages, ...options }) =>
    sendBatch({ ...options, topicMessages: [{ topic, messages }] });
