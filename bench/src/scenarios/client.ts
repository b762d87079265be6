import { consumerOptions, producerOptions, sleep } from '@chippy/messaging';
import type { Kafka, Message } from 'kafkajs';
import type { Bench } from '../context.js';

export interface ClientResult {
  client: string;
  /** One message per send, each awaited (acks=all, idempotent): how a till sends. */
  serialSendPerSecond: number;
  /** 500 messages per send: what batching would give the same producer. */
  batchedSendPerSecond: number;
  /** A consumer-group member doing nothing with each message. */
  consumePerSecond: number;
  /** Consume one, send one (awaited) to another topic, as a preparer does without Redis and the serde. */
  pipePerSecond: number;
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
 * the producer options from libs/messaging, one message per send, consumer groups with the services'
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
      await producer.send({ topic: input, acks: -1, messages: [next()] });
      return 1;
    });
    const batchedSendPerSecond = await loopFor(ms, async () => {
      await producer.send({ topic: input, acks: -1, messages: Array.from({ length: 500 }, next) });
      return 500;
    });

    const consumePerSecond = await consumeAll(bench, kafka, `${prefix}consume`, input, sent);

    // The pipe reads the same backlog with a group of its own, so it never waits for input.
    let piped = 0;
    const group = `${prefix}pipe`;
    bench.made.groups.add(group);
    const pipe = kafka.consumer(consumerOptions(group));
    await pipe.connect();
    await pipe.subscribe({ topics: [input], fromBeginning: true });
    let first = 0;
    await pipe.run({
      eachMessage: async ({ message }) => {
        first ||= Date.now();
        await producer.send({
          topic: output,
          acks: -1,
          messages: [{ key: message.key, value: message.value }],
        });
        piped++;
      },
    });
    while (!first) await sleep(20);
    const start = { time: Date.now(), count: piped };
    await sleep(ms);
    const pipePerSecond = ((piped - start.count) * 1000) / (Date.now() - start.time);
    await pipe.disconnect();
    return { client: name, serialSendPerSecond, batchedSendPerSecond, consumePerSecond, pipePerSecond };
  } finally {
    await producer.disconnect();
  }
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
