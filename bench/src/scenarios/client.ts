import { consumerOptions, producerOptions } from '@chippy/kafka';
import { sleep } from '@chippy/runtime';
import type { EachBatchPayload, EachMessagePayload, Kafka, Message } from 'kafkajs';
import type { Bench } from '../context.js';

export interface ClientResult {
  client: string;
  /** One message per send, each awaited (acks=all, idempotent): how a till sends. */
  serialSendPerSecond: number;
  /** 500 messages per send: what batching would give the same producer. */
  batchedSendPerSecond: number;
  /** A consumer-group member doing nothing with each message. */
  consumePerSecond: number;
  /** Consume one, send one (awaited) to another topic, as a preparer did one by one, without Redis and the serde. */
  pipePerSecond: number;
  /**
   * Consume a fetched batch, send it all in one produce call (awaited), commit once per batch: the client's
   * ceiling for the preparers' batched path, without Redis and the serde.
   */
  batchedPipePerSecond: number;
}

/** Runs `step` repeatedly for `ms` and returns how many messages it handled per second. */
async function loopFor(ms: number, step: () => Promise<number>): Promise<number> {
  const started = Date.now();
  let count = 0;
  while (Date.now() - started < ms) count += await step();
  return (count * 1000) / (Date.now() - started);
}

/**
 * The client library's ceiling with the same bytes (encoded Orders), acks and batching as the services:
 * the producer options from libs/kafka, one message per send, consumer groups with the services'
 * consumer options, on a 6-partition topic (like `orders`) into a 3-partition one (like `orders-ready`).
 */
export async function runClient(
  bench: Bench,
  kafka: Kafka,
  name: string,
  seconds: number,
): Promise<ClientResult> {
  const prefix = bench.prefix(`client-${name}`);
  const [input, output] = [`${prefix}in`, `${prefix}out`];
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: input, numPartitions: 6, replicationFactor: 1 },
      { topic: output, numPartitions: 3, replicationFactor: 1 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const samples: Message[] = await bench.sampleOrders(input, 1000);
  const producer = kafka.producer(producerOptions());
  await producer.connect();
  let sent = 0;
  const next = () => samples[sent++ % samples.length]!;
  const ms = seconds * 1000;
  try {
    const serialSendPerSecond = await loopFor(ms, async () => {
      await producer.send({ topic: input, messages: [next()] });
      return 1;
    });
    const batchedSendPerSecond = await loopFor(ms, async () => {
      await producer.send({ topic: input, messages: Array.from({ length: 500 }, next) });
      return 500;
    });

    const consumePerSecond = await consumeAll(bench, kafka, `${prefix}consume`, input, sent);

    // The pipes read the same backlog with a group of their own each, so they never wait for input.
    const pipePerSecond = await pipe(bench, kafka, `${prefix}pipe`, input, ms, {
      eachMessage: async ({ message }) => {
        await producer.send({
          topic: output,
          messages: [{ key: message.key, value: message.value }],
        });
        return 1;
      },
    });
    const batchedPipePerSecond = await pipe(bench, kafka, `${prefix}batched-pipe`, input, ms, {
      eachBatch: async ({ batch }) => {
        await producer.send({
          topic: output,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
        });
        return batch.messages.length;
      },
    });
    return {
      client: name,
      serialSendPerSecond,
      batchedSendPerSecond,
      consumePerSecond,
      pipePerSecond,
      batchedPipePerSecond,
    };
  } finally {
    await producer.disconnect();
  }
}

/**
 * A consume → produce loop over `topic` from the start with a fresh group, measured for `ms` from its first
 * message: `step` pipes one message (`eachMessage`) or one fetched batch (`eachBatch`) and says how many it
 * piped. The consumer commits once per fetched batch (kafkajs's autoCommit), as the preparers do.
 */
async function pipe(
  bench: Bench,
  kafka: Kafka,
  group: string,
  topic: string,
  ms: number,
  step:
    | { eachMessage: (payload: EachMessagePayload) => Promise<number> }
    | { eachBatch: (payload: EachBatchPayload) => Promise<number> },
): Promise<number> {
  bench.made.groups.add(group);
  const consumer = kafka.consumer(consumerOptions(group));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let piped = 0;
  let first = 0;
  let last = 0;
  const count = (n: number) => {
    first ||= Date.now();
    piped += n;
    last = Date.now();
  };
  await consumer.run(
    'eachMessage' in step
      ? { eachMessage: async (payload) => count(await step.eachMessage(payload)) }
      : { eachBatch: async (payload) => count(await step.eachBatch(payload)) },
  );
  while (!first) await sleep(20);
  const start = { time: Date.now(), count: piped };
  await sleep(ms);
  // Up to the last message piped: a fast pipe may reach the end of the input before the window ends.
  const perSecond = ((piped - start.count) * 1000) / (last - start.time);
  await consumer.disconnect();
  return perSecond;
}

/** Reads `count` messages from the start with a fresh group; the rate is from the first message on. */
async function consumeAll(bench: Bench, kafka: Kafka, group: string, topic: string, count: number) {
  bench.made.groups.add(group);
  const consumer = kafka.consumer(consumerOptions(group));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  await consumer.run({
    eachMessage: async () => {
      first ||= Date.now();
      seen++;
      last = Date.now();
      return Promise.resolve();
    },
  });
  const deadline = Date.now() + 120_000;
  while (seen < count && Date.now() < deadline) await sleep(50);
  await consumer.disconnect();
  return last > first ? (seen * 1000) / (last - first) : Number.NaN;
}
