import { createHash } from 'node:crypto';
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
/** The smallest part a refused value is split into before it is given up (see sendToDlq). */
const MIN_PART_BYTES = 16 * 1024;
/** Original headers kept in a last-resort dead letter: each value at most this long, at most this many. */
const MAX_HEADER_BYTES = 1024;
const MAX_HEADERS = 64;

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

/** The original headers that are small, for a dead letter that must fit whatever the topic allows. */
function smallHeaders(headers: IHeaders | undefined): IHeaders {
  const kept = Object.entries(headers ?? {}).filter(([name, value]) => {
    const values = Array.isArray(value) ? value : [value];
    const size = values.reduce((sum, v) => sum + (v?.length ?? 0), name.length);
    return size <= MAX_HEADER_BYTES;
  });
  return Object.fromEntries(kept.slice(0, MAX_HEADERS));
}

/** `value` in parts of at most `size` bytes: one part (itself) when it fits. */
function parts(value: Buffer | null, size: number): (Buffer | null)[] {
  if (value === null || value.length <= size) return [value];
  return Array.from({ length: Math.ceil(value.length / size) }, (_, i) =>
    value.subarray(i * size, (i + 1) * size),
  );
}

/**
 * Parks a message that can never be processed: the original key and bytes go to the dead-letter topic,
 * with the original headers and `dlq.*` headers saying where it came from and why.
 *
 * Nothing of the value is lost (docs/security.md): a value up to `maxValueBytes` (256 KiB, which a topic's
 * default 1 MB limit takes) is one record; a longer one is split into records of that size, in order,
 * with the same key (so the same partition), each with `dlq.value.part` (from 0), `dlq.value.parts`,
 * `dlq.value.bytes` (the original length), `dlq.value.sha256` (of the whole) and
 * `dlq.value.truncated: true` (the record holds only part of it). If the broker refuses the first part as
 * too large, the parts are made smaller, down to 16 KiB; if it still refuses, one record goes without the
 * value but with its length, its SHA-256 and the original headers that are small, so a dead letter can
 * never block its partition.
 */
export async function sendToDlq(
  producer: Pick<Producer, 'send'>,
  { dlqTopic, message, reason, error, service, counter, maxValueBytes = DLQ_MAX_VALUE_BYTES }: DlqOptions,
): Promise<void> {
  const key = cut('key', message.key, maxValueBytes);
  const dlqHeaders = {
    'dlq.topic': message.topic,
    'dlq.partition': String(message.partition),
    'dlq.offset': message.offset,
    'dlq.reason': reason,
    'dlq.error': error.slice(0, MAX_ERROR_CHARS),
    'dlq.service': service,
    'dlq.time': new Date().toISOString(),
    ...key.headers,
  };
  const whole = message.value;
  const described = () => ({
    'dlq.value.bytes': String(whole?.length ?? 0),
    'dlq.value.sha256': createHash('sha256')
      .update(whole ?? Buffer.alloc(0))
      .digest('hex'),
  });
  const send = (value: Buffer | null, headers: IHeaders, k = key.bytes) =>
    producer.send({ topic: dlqTopic, messages: [{ key: k, value, headers }] });

  let size = maxValueBytes;
  let sent = 0;
  for (;;) {
    const pieces = parts(whole, size);
    const split =
      pieces.length > 1
        ? { 'dlq.value.truncated': 'true', 'dlq.value.parts': String(pieces.length), ...described() }
        : {};
    try {
      for (; sent < pieces.length; sent++) {
        const part = pieces.length > 1 ? { 'dlq.value.part': String(sent) } : {};
        await send(pieces[sent]!, { ...message.headers, ...dlqHeaders, ...split, ...part });
      }
      break;
    } catch (sendError) {
      if (!isTooLarge(sendError)) throw sendError;
      if (sent === 0 && size > MIN_PART_BYTES && (whole?.length ?? 0) > MIN_PART_BYTES) {
        size = Math.max(MIN_PART_BYTES, Math.floor(size / 4));
        continue;
      }
      await send(
        null,
        {
          ...smallHeaders(message.headers),
          ...dlqHeaders,
          'dlq.value.truncated': 'true',
          ...described(),
        },
        key.bytes?.subarray(0, 1024) ?? null,
      );
      break;
    }
  }
  counter.inc({ topic: message.topic, reason });
}
