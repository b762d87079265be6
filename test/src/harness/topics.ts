import type { IHeaders } from 'kafkajs';
import { testKafka, uniqueName } from './kafka.js';

export interface RawMessage {
  partition: number;
  offset: string;
  key: string | undefined;
  value: Buffer | null;
  headers: IHeaders;
  /** The record's timestamp (ms): its producer's send time. */
  timestamp: number;
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `done(messages)` says so, then
 * keeps reading for `settleMs` more so that a duplicate arriving late would still be seen.
 */
export async function readTopic(
  topic: string,
  done: (messages: RawMessage[]) => boolean,
  { timeoutMs = 120_000, settleMs = 2_000 } = {},
): Promise<RawMessage[]> {
  const consumer = testKafka('test-reader').consumer({
    groupId: uniqueName('test-reader'),
    allowAutoTopicCreation: false,
  });
  const messages: RawMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `reading ${topic}: condition not met within ${timeoutMs} ms (${messages.length} messages)`,
            ),
          ),
        timeoutMs,
      );
      let settled = false;
      const check = () => {
        if (!settled && done(messages)) {
          settled = true;
          clearTimeout(timer);
          setTimeout(resolve, settleMs);
        }
      };
      void consumer.run({
        eachMessage: ({ partition, message }) => {
          messages.push({
            partition,
            offset: message.offset,
            key: message.key?.toString(),
            value: message.value,
            headers: message.headers ?? {},
            timestamp: Number(message.timestamp),
          });
          check();
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
