// The original poc1: can we send to and receive from Kafka at all? Ten messages and a "stop" go out,
// a consumer group reads exactly those back, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { producerOptions } from '@chippy/kafka';
import { testKafka, uniqueName } from './harness/kafka.js';

const kafka = testKafka('poc1');
const admin = kafka.admin();
const topic = uniqueName('poc1');

describe('poc1', () => {
  before(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  });

  after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('ten messages and a "stop" go through a topic and come back through a consumer group', async () => {
    const sent = [...Array.from({ length: 10 }, (_, i) => `message ${i + 1}`), 'stop'];
    const producer = kafka.producer(producerOptions());
    await producer.connect();
    for (const value of sent) await producer.send({ topic, messages: [{ value }] });
    await producer.disconnect();

    const received: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('poc1-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${received.length} messages`)), 30_000);
      void consumer.run({
        eachMessage: ({ message }) => {
          const value = message.value?.toString() ?? '';
          received.push(value);
          if (value === 'stop') {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    assert.deepEqual(received, sent);
  });
});
