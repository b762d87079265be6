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
}

const MAX_ERROR_CHARS = 1000;

/**
 * Parks a message that can never be processed: the original key and bytes go to the dead-letter topic,
 * with the original headers and `dlq.*` headers saying where it came from and why.
 */
export async function sendToDlq(
  producer: Pick<Producer, 'send'>,
  { dlqTopic, message, reason, error, service, counter }: DlqOptions,
): Promise<void> {
  await producer.send({
    topic: dlqTopic,
    messages: [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          'dlq.topic': message.topic,
          'dlq.partition': String(message.partition),
          'dlq.offset': message.offset,
          'dlq.reason': reason,
          'dlq.error': error.slice(0, MAX_ERROR_CHARS),
          'dlq.service': service,
          'dlq.time': new Date().toISOString(),
        },
      },
    ],
  });
  counter.inc({ topic: message.topic, reason });
}
