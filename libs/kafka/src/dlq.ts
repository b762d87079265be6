import type { IHeaders, Producer } from 'kafkajs';
import type { Counter } from 'prom-client';

/** A message as a consumer received it: what a handler works on, and what the dead-letter topic keeps. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface DlqOptions {
  dlqTopic: string;
  /** The message as consumed. */
  message: ConsumedMessage;
  /** Short and machine-readable, e.g. a DecodeError's reason. */
  reason: string;
  error: string;
  service: string;
  /** `dlqMessages` from createMetrics. */
  counter: Counter<'topic' | 'reason'>;
  /** Values (and keys) longer than this are cut to this many bytes; default 256 KiB. */
  maxValueBytes?: number;
}

const MAX_ERROR_CHARS = 1000;
export const DLQ_MAX_VALUE_BYTES = 256 * 1024;

/** The broker refused the record as too large for the topic (its max.message.bytes). */
const isTooLarge = (error: unknown) =>
  typeof error === 'object' && error !== null && 'type' in error && error.type === 'MESSAGE_TOO_LARGE';

/** A prefix of at most `max` bytes, and the headers saying it was cut and how long the original was. */
function cut(name: 'key' | 'value', bytes: Buffer | null, max: number) {
  if (bytes === null || bytes.length <= max) return { bytes, headers: {} };
  return {
    bytes: bytes.subarray(0, max),
    headers: { [`dlq.${name}.truncated`]: 'true', [`dlq.${name}.bytes`]: String(bytes.length) },
  };
}

/**
 * Parks a message that can never be processed: the original key and bytes go to the dead-letter topic,
 * with the original headers and `dlq.*` headers saying where it came from and why.
 *
 * A value is kept whole up to `maxValueBytes` (256 KiB); a longer one, which a topic's default 1 MB limit
 * could refuse, keeps its first 256 KiB and the headers `dlq.value.truncated: true` and `dlq.value.bytes`
 * (the original length); keys likewise. If the broker still refuses the record as too large, it is sent
 * again without the value and the original headers, so a dead letter can never block its partition.
 */
export async function sendToDlq(
  producer: Pick<Producer, 'send'>,
  { dlqTopic, message, reason, error, service, counter, maxValueBytes = DLQ_MAX_VALUE_BYTES }: DlqOptions,
): Promise<void> {
  const key = cut('key', message.key, maxValueBytes);
  const value = cut('value', message.value, maxValueBytes);
  const dlqHeaders = {
    'dlq.topic': message.topic,
    'dlq.partition': String(message.partition),
    'dlq.offset': message.offset,
    'dlq.reason': reason,
    'dlq.error': error.slice(0, MAX_ERROR_CHARS),
    'dlq.service': service,
    'dlq.time': new Date().toISOString(),
    ...key.headers,
    ...value.headers,
  };
  try {
    await producer.send({
      topic: dlqTopic,
      messages: [{ key: key.bytes, value: value.bytes, headers: { ...message.headers, ...dlqHeaders } }],
    });
  } catch (sendError) {
    if (!isTooLarge(sendError)) throw sendError;
    const dropped = {
      'dlq.value.truncated': 'true',
      'dlq.value.bytes': String(message.value?.length ?? 0),
    };
    await producer.send({
      topic: dlqTopic,
      messages: [
        { key: key.bytes?.subarray(0, 1024) ?? null, value: null, headers: { ...dlqHeaders, ...dropped } },
      ],
    });
  }
  counter.inc({ topic: message.topic, reason });
}
