import type { Bench } from '../context.js';
import { kafkaTool } from './broker.js';

/** Kafka's own round trip for one message, measured beside a live run of the shop. */
export interface KafkaFloor {
  records: number;
  recordBytes: number;
  /** The tool's mean, ms. */
  avgMs: number;
  /** The tool's percentiles, whole ms: it rounds each round trip down before sorting them. */
  p50: number;
  p99: number;
  p999: number;
  /** How long the tool ran, its JVM's start included: the run's tills keep offering until it is done. */
  seconds: number;
}

/**
 * EndToEndLatency's summary (printResults in Kafka's tools/src/main/java/org/apache/kafka/tools/EndToEndLatency.java):
 * "Avg latency: 2.2417 ms" and "Percentiles: 50th = 2, 99th = 6, 99.9th = 23". The progress lines before
 * them ("0\t33.7": every 1,000th round trip) are single samples, not figures of the run.
 */
export function parseEndToEndLatency(out: string): Pick<KafkaFloor, 'avgMs' | 'p50' | 'p99' | 'p999'> {
  const avg = /^Avg latency: ([\d.]+) ms/m.exec(out);
  const percentiles = /^Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/m.exec(out);
  if (!avg || !percentiles) throw new Error(`no summary in EndToEndLatency output: ${out.slice(-300)}`);
  return {
    avgMs: Number(avg[1]),
    p50: Number(percentiles[1]),
    p99: Number(percentiles[2]),
    p999: Number(percentiles[3]),
  };
}

/**
 * The consumer groups EndToEndLatency made between `from` and `to` (ms since the epoch): it names its group
 * `test-group-<the time it made it>`, which no option changes, and commits to it when it ends.
 */
export function toolGroups(groupIds: readonly string[], from: number, to: number): string[] {
  return groupIds.filter((id) => {
    const made = Number(/^test-group-(\d+)$/.exec(id)?.[1] ?? Number.NaN);
    return made >= from && made <= to;
  });
}

/**
 * Kafka's floor for an order's trip on this broker: EndToEndLatency sends `records` messages the size of
 * an encoded Order one at a time (acks=all, no linger) and consumes each (fetch.max.wait.ms=0) before it
 * sends the next, on a one-partition topic of its own (as the tool would make it). Run beside a live run,
 * it is measured under the same load on the same cores; its consumer polls without waiting, so it adds
 * some load of its own. A tool still running after `timeoutMs` is stopped and the floor fails.
 */
export async function runFloor(
  bench: Bench,
  label: string,
  recordBytes: number,
  records: number,
  timeoutMs = 60_000,
): Promise<KafkaFloor> {
  const topic = `${bench.prefix(label)}e2e`;
  const admin = bench.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const started = Date.now();
    let out: string;
    let seconds: number;
    try {
      out = await kafkaTool(
        'org.apache.kafka.tools.EndToEndLatency',
        [
          ...['--bootstrap-server', bench.endpoints.KAFKA_SERVICE_URI, '--topic', topic],
          ...[
            '--num-records',
            String(records),
            '--producer-acks',
            'all',
            '--record-size',
            String(recordBytes),
          ],
        ],
        timeoutMs,
      );
      seconds = (Date.now() - started) / 1000;
    } finally {
      // Also after a failure: the tool commits to its group before it reports a failed check. A failed
      // listing leaves the group behind rather than hiding the tool's own error.
      const groups = await admin.listGroups().then(
        (listed) => listed.groups.map((g) => g.groupId),
        () => [],
      );
      toolGroups(groups, started, Date.now()).forEach((group) => bench.made.groups.add(group));
    }
    return { records, recordBytes, ...parseEndToEndLatency(out), seconds };
  } finally {
    await admin.disconnect();
  }
}
