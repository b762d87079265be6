import { OrderSchema, type Order } from '@chippy/shop';
import type { Bench } from '../context.js';
import { sampleOrder } from '../context.js';

export interface SerdeResult {
  /** Encoded size of one Order, bytes (also the record size of the broker and client scenarios). */
  avroBytes: number;
  jsonBytes: number;
  /** Operations per second on one core. */
  avroEncode: number;
  avroDecode: number;
  jsonStringify: number;
  jsonParse: number;
}

/** Runs `op` over `inputs` round-robin for about `ms` and returns operations per second. */
async function opsPerSecond<I>(inputs: I[], op: (input: I) => unknown, ms: number): Promise<number> {
  for (let i = 0; i < 2000; i++) await op(inputs[i % inputs.length]!); // warm up the JIT
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < ms) {
    for (let i = 0; i < 1000; i++) await op(inputs[(done + i) % inputs.length]!);
    done += 1000;
  }
  return (done * 1000) / (performance.now() - started);
}

/**
 * The registry serde as the till and preparer use it (schema id cached after the first call, so no
 * registry round trip is timed) against JSON.stringify/parse of the same object.
 */
export async function runSerde(bench: Bench, topic: string, ms = 1000): Promise<SerdeResult> {
  const encode = await bench.serde.encoder<Order>(topic, OrderSchema);
  const decode = bench.serde.decoder<Order>(OrderSchema);
  const orders = Array.from({ length: 1000 }, (_, i) => sampleOrder(i + 1));
  const avro = await Promise.all(orders.map((o) => encode(o)));
  const json = orders.map((o) => JSON.stringify(o));
  return {
    avroBytes: avro[0]!.length,
    jsonBytes: Buffer.byteLength(json[0]!),
    avroEncode: await opsPerSecond(orders, encode, ms),
    avroDecode: await opsPerSecond(avro, decode, ms),
    jsonStringify: await opsPerSecond(orders, (o) => JSON.stringify(o), ms),
    jsonParse: await opsPerSecond(json, (s) => JSON.parse(s) as unknown, ms),
  };
}
