import { type Logger } from '@chippy/runtime';
import { kafkaJsStyleLogger } from '../kafkajs-log.js';
import { type Producer, type ProducerBatch, type ProducerRecord, type RecordMetadata } from 'kafkajs';
import { withKafkaJsErrors, notBridged } from './errors.js';
import { type OutgoingMessage, outgoing } from './messages.js';

/** What the adapter uses of a @platformatic/kafka producer. */
export interface InnerProducer {
  metadata(options: { topics: string[] }): Promise<unknown>;
  initIdempotentProducer(options: object): Promise<unknown>;
  send(options: {
    messages: OutgoingMessage[];
    acks?: number;
  }): Promise<{ offsets?: { topic: string; partition: number; offset: bigint }[] }>;
  close(): Promise<void>;
}

const producerEvents = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const;

export function adaptProducer(
  make: () => Promise<InnerProducer>,
  idempotent: boolean,
  logger: Logger,
): Producer {
  let made: Promise<InnerProducer> | undefined;
  const inner = () => (made ??= make());
  async function send(messages: OutgoingMessage[], acks?: number): Promise<RecordMetadata[]> {
    if (messages.length === 0) return [];
    const producer = await inner();
    const result = await withKafkaJsErrors(producer.send({ messages, ...(acks !== undefined && { acks }) }));
    return (result.offsets ?? []).map(({ topic, partition, offset }) => ({
      topicName: topic,
      partition,
      errorCode: 0,
      baseOffset: String(offset),
    }));
  }
  const producer = {
    events: producerEvents,
    async connect() {
      // The client connects on first use; asking for metadata now makes a broker that cannot be reached an
      // error of `connect`, as with kafkajs. An idempotent producer gets its producer id now too.
      const client = await inner();
      await withKafkaJsErrors(client.metadata({ topics: [] }));
      if (idempotent) await withKafkaJsErrors(client.initIdempotentProducer({}));
    },
    async disconnect() {
      const closing = made;
      made = undefined;
      if (closing) await (await closing).close();
    },
    send: ({ topic, messages, acks }: ProducerRecord) =>
      send(
        messages.map((m) => outgoing(topic, m)),
        acks,
      ),
    sendBatch: ({ topicMessages = [], acks }: ProducerBatch) =>
      send(
        topicMessages.flatMap(({ topic, messages }) => messages.map((m) => outgoing(topic, m))),
        acks,
      ),
    isIdempotent: () => idempotent,
    transaction: () =>
      Promise.reject(notBridged('transactions (DELIVERY=exactly-once needs KAFKA_CLIENT=kafkajs)')),
    on(name: string) {
      throw notBridged(`the producer event ${name}`);
    },
    logger: () => kafkaJsStyleLogger(logger),
  };
  return producer;
}
