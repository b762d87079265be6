import { spawn } from 'node:child_process';
import path from 'node:path';
import { paths } from '@chippy/local-stack';
import type { Bench } from '../context.js';

export interface BrokerResult {
  records: number;
  recordBytes: number;
  producerPerSecond: number;
  producerLatencyMs: { avg: number; p50: number; p99: number };
  consumerPerSecond: number;
}

/**
 * Kafka's own tools from the stack's jars (kafka-tools), with a small heap beside the stack's JVMs; its
 * stdout. `timeoutMs` stops a tool that runs longer (SIGTERM), which then fails like one that exited non-zero.
 */
export function kafkaTool(mainClass: string, args: string[], timeoutMs?: number): Promise<string> {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
  return new Promise((resolve, reject) => {
    // No log4j2 configuration: its default prints errors only, so stdout holds just the tool's figures.
    const child = spawn(java, ['-Xmx256m', '-cp', `${paths.kafkaLib}/*`, mainClass, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(timeoutMs !== undefined && { timeout: timeoutMs }),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(
            new Error(
              `${mainClass} ${signal ? `stopped by ${signal}` : `exited ${code}`}: ${err.slice(-500)}`,
            ),
          ),
    );
  });
}

/** "N records sent, X records/sec (…), A ms avg latency, M ms max latency, P ms 50th, …, Q ms 99th, …" */
export function parseProducerPerformance(out: string) {
  const line = out.split('\n').find((l) => /records sent, .* records\/sec/.test(l));
  if (!line) throw new Error(`no summary in ProducerPerformance output: ${out.slice(-300)}`);
  const num = (re: RegExp) => Number(re.exec(line)?.[1] ?? Number.NaN);
  return {
    perSecond: num(/([\d.]+) records\/sec/),
    avg: num(/([\d.]+) ms avg latency/),
    p50: num(/([\d.]+) ms 50th/),
    p99: num(/([\d.]+) ms 99th/),
  };
}

/** ConsumerPerformance prints a CSV header and one line; fetch.nMsg.sec leaves out the group join. */
export function parseConsumerPerformance(out: string): number {
  const lines = out.split('\n').map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.startsWith('start.time'));
  if (headerAt < 0 || !lines[headerAt + 1]) throw new Error(`no figures from ConsumerPerformance: ${out}`);
  const header = lines[headerAt]!.split(',').map((h) => h.trim());
  const values = lines[headerAt + 1]!.split(',').map((v) => v.trim());
  const at = header.indexOf('fetch.nMsg.sec');
  return Number(values[at >= 0 ? at : header.indexOf('nMsg.sec')]);
}

/**
 * The broker's ceiling on this machine: Kafka's Java producer (acks=all, idempotent and batching as its
 * defaults have it) and consumer, records the size of an encoded Order, on a 6-partition topic.
 */
export async function runBroker(bench: Bench, recordBytes: number, records = 300_000): Promise<BrokerResult> {
  const topic = `${bench.prefix('broker')}perf`;
  const admin = bench.kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const bootstrap = bench.endpoints.KAFKA_SERVICE_URI;
  const produced = parseProducerPerformance(
    await kafkaTool('org.apache.kafka.tools.ProducerPerformance', [
      ...['--topic', topic, '--num-records', String(records), '--record-size', String(recordBytes)],
      ...['--throughput', '-1', '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=all'],
    ]),
  );
  const group = `${topic}-group`;
  bench.made.groups.add(group);
  const consumed = parseConsumerPerformance(
    await kafkaTool('org.apache.kafka.tools.ConsumerPerformance', [
      ...['--bootstrap-server', bootstrap, '--topic', topic, '--messages', String(records)],
      ...['--group', group, '--timeout', '60000'],
    ]),
  );
  return {
    records,
    recordBytes,
    producerPerSecond: produced.perSecond,
    producerLatencyMs: { avg: produced.avg, p50: produced.p50, p99: produced.p99 },
    consumerPerSecond: consumed,
  };
}
