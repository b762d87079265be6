import { type IHeaders, type KafkaMessage, type Message } from 'kafkajs';

/** A message to produce, as @platformatic/kafka takes it with its default (Buffer) serializers. */
export interface OutgoingMessage {
  topic: string;
  key?: Buffer;
  value?: Buffer;
  partition?: number;
  headers?: Map<Buffer, Buffer>;
  timestamp?: bigint;
}

/** A message as @platformatic/kafka's stream hands it over with its default (Buffer) deserializers. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key?: Buffer | null;
  value?: Buffer | null;
  headers: Map<Buffer | undefined | null, Buffer | undefined | null>;
}

export const bytes = (data: Buffer | string | null | undefined): Buffer | undefined =>
  data === null || data === undefined ? undefined : typeof data === 'string' ? Buffer.from(data) : data;

/** kafkajs headers as a Map of Buffers; a header given several values is sent several times, as kafkajs does. */
function outgoingHeaders(headers: IHeaders): Map<Buffer, Buffer> {
  const out = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.set(Buffer.from(name), bytes(one)!);
  }
  return out;
}

export function outgoing(topic: string, message: Message): OutgoingMessage {
  const key = bytes(message.key);
  const value = bytes(message.value);
  return {
    topic,
    ...(key && { key }),
    ...(value && { value }),
    ...(message.partition !== undefined && message.partition !== null && { partition: message.partition }),
    ...(message.headers && { headers: outgoingHeaders(message.headers) }),
    ...(message.timestamp !== undefined && { timestamp: BigInt(message.timestamp) }),
  };
}

/** A consumed message as kafkajs hands it over: Buffers or null, string offset and timestamp. */
export function incoming(message: IncomingMessage): KafkaMessage {
  const headers: IHeaders = {};
  for (const [name, value] of message.headers) {
    if (!name || !value) continue;
    const key = name.toString();
    const previous = headers[key];
    headers[key] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return {
    key: message.key ?? null,
    value: message.value ?? null,
    timestamp: String(message.timestamp),
    attributes: 0,
    offset: String(message.offset),
    headers,
  };
}

/**
 * The partition the Java client (and kafkajs's DefaultPartitioner) gives a key: murmur2, positive, modulo
 * the partitions (@platformatic/kafka applies the modulo; its own default partitioner does not clear the
 * sign bit, so keys would land elsewhere). Keyless messages go round-robin.
 */
export function javaPartitioner<M extends { topic: string }>(
  compatibility: (message: M, key: Buffer) => number,
) {
  const next = new Map<string, number>();
  return (message: M, key: Buffer | undefined): number => {
    if (key) return compatibility(message, key);
    const partition = next.get(message.topic) ?? 0;
    next.set(message.topic, (partition + 1) % 2 ** 30);
    return partition;
  };
}
