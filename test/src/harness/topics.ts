import { execFileSync } from 'node:child_process';
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

/** A record as a read_committed reader sees it: where it is, its key and its timestamp. */
export interface CommittedRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  timestamp: number;
}

/**
 * Every record of `topic` a read_committed reader sees, read once to the end by kcat (librdkafka).
 * Not kafkajs: its read_committed filter takes the broker's list of aborted transactions as sorted by
 * first offset and steps through it one transaction per record
 * (node_modules/kafkajs/src/consumer/filterAbortedMessages.js), but the broker lists them in the order they
 * were aborted. A transaction aborted after one that began after it (a coordinator's failover in a cluster
 * test) then shows its records to kafkajs and to no other client.
 */
export function readCommitted(topic: string, bootstrap: string): CommittedRecord[] {
  const out = execFileSync(
    'kcat',
    [
      ...['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q'],
      ...['-X', 'isolation.level=read_committed', '-f', '%p %o %T %k\\n'],
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [partition, offset, timestamp, key] = line.split(' ');
      return {
        partition: Number(partition),
        offset: offset!,
        key: key === undefined || key === '' ? undefined : key,
        timestamp: Number(timestamp),
      };
    });
}
