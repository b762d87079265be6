#!/usr/bin/env node
// `npm run bench`: Kafka's own tools, the raw clients and the shop, measured in one run on one machine,
// written to docs/benchmarks.json and docs/benchmarks.md. See docs/benchmarks.md for what each figure is.
// `npm run bench -- --quick`: the headline rows only, written to test-output/bench-quick/ (modes.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import path from 'node:path';
import { endpointsFromEnv, requirePinnedNode, serviceNodeOptions, up } from '@chippy/local-stack';
import { repoRoot } from '@chippy/dev-utils';
import { versions as stackVersions } from '@chippy/local-stack/versions';
import { createKafka } from '@chippy/kafka';
import { cleanUp } from './cleanup.js';
import { confluentClient } from './confluent.js';
import { createBench } from './context.js';
import { writePage } from './hand-kept.js';
import { parseArgs, parts, usage, type Part } from './modes.js';
import { issueGoals, renderMarkdown } from './report.js';
import type { Results } from './results.js';
import { runBroker } from './scenarios/broker.js';
import { runClient } from './scenarios/client.js';
import { runFloor } from './scenarios/floor.js';
import { runSerde } from './scenarios/serde.js';
import { withSink, type SinkStats } from './scenarios/sink.js';
import { runShop, type ShopOptions } from './shop.js';
import { keptUpWithin, searchSustained } from './sustained.js';
import { formatNumber } from './table.js';

const args = parseArgs(process.argv.slice(2));
if ('help' in args) {
  console.log(usage);
  process.exit(0);
}
if ('error' in args) {
  console.error(args.error);
  process.exit(2);
}
const { mode } = args;
requirePinnedNode('bench');
// The mode's defaults (modes.ts), each overridable for a development run.
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  windowSeconds: num('BENCH_SECONDS', mode.windowSeconds),
  drainSeconds: num('BENCH_DRAIN_SECONDS', mode.drainSeconds),
  warmupSeconds: num('BENCH_WARMUP', mode.warmupSeconds),
  clientSeconds: num('BENCH_CLIENT_SECONDS', mode.clientSeconds),
  /**
   * NODE_OPTIONS for every service process the bench starts: the services' shipped heap flags, unless
   * BENCH_NODE_OPTIONS says otherwise (empty for none).
   */
  serviceNodeOptions: process.env.BENCH_NODE_OPTIONS ?? serviceNodeOptions,
  /**
   * BENCH_LIVE_READER=1: the fixed loads read `orders-ready` during their window, to time each record's trip
   * to a reader as well (breakdown.ts), at the cost of that reader's CPU on the shop's cores.
   */
  liveReader: process.env.BENCH_LIVE_READER === '1',
};
const layout = { tills: num('BENCH_TILLS', 3), preparers: num('BENCH_PREPARERS', 2) };
const probes = num('BENCH_PROBES', mode.probes);
const latencyProbes = num('BENCH_LATENCY_PROBES', mode.latencyProbes);
const probeSeconds = num('BENCH_PROBE_SECONDS', mode.probeSeconds);
const backlog = num('BENCH_BACKLOG', mode.backlog);
const lightLoad = num('BENCH_LIGHT_LOAD', mode.lightLoad);
const floorRecords = num('BENCH_FLOOR_RECORDS', mode.floorRecords);
/**
 * BENCH_ONLY=broker,client,shop,latency,loads,scaling,cook,stages,client-drains,profile runs a subset of the
 * mode's parts (modes.ts), for development: `client,client-drains` is the clients' comparison alone (their
 * raw rows and the shop's drain on each). The drain 'max' runs too when a part is measured against it.
 */
const only = process.env.BENCH_ONLY?.split(',');
const chosen = (part: Part) => mode.parts.includes(part) && (!only || only.includes(part));
const againstMax: Part[] = ['latency', 'scaling', 'cook', 'stages', 'client-drains'];
const planned = (Object.keys(parts) as Part[]).filter(
  (part) => chosen(part) || (part === 'shop' && againstMax.some(chosen)),
);
const wanted = (part: Part) => planned.includes(part);
const outDir = process.env.BENCH_OUT_DIR ?? path.join(repoRoot, mode.outDir);
const log = (line: string) => console.log(`bench: ${line}`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A dependency's version as installed (hoisted to the root, or nested under libs/kafka). */
function packageVersion(name: string): string {
  for (const dir of ['node_modules', 'libs/kafka/node_modules']) {
    const file = path.join(repoRoot, dir, name, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** The results as the repository's Prettier would print them (`npm run lint` checks docs/*.json). */
async function asJson(value: unknown): Promise<string> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path.join(outDir, 'benchmarks.json'))) ?? {};
    return await prettier.format(text, { ...options, parser: 'json' });
  } catch {
    return text; // Prettier is a devDependency: without it the JSON is still valid, just laid out differently
  }
}

const started = Date.now();
// A configured stack (unset variables fall back to the native stack's addresses), else the native stack.
const endpoints = process.env.KAFKA_SERVICE_URI ? endpointsFromEnv() : await up(log);
const runId = new Date().toISOString().replace(/\D/g, '').slice(2, 12);
const bench = createBench(endpoints, runId, settings.serviceNodeOptions);
const results: Results = {
  runId,
  mode: mode.name,
  skipped: (Object.keys(parts) as Part[]).filter((part) => !wanted(part)),
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: totalmem() / 2 ** 30,
    os: `Linux ${release()}`,
    loadAtStart: loadavg(),
  },
  versions: {
    Node: process.versions.node,
    kafkajs: packageVersion('kafkajs'),
    avsc: packageVersion('avsc'),
    '@kafkajs/confluent-schema-registry': packageVersion('@kafkajs/confluent-schema-registry'),
    ioredis: packageVersion('ioredis'),
    '@platformatic/kafka': packageVersion('@platformatic/kafka'),
    'Apache Kafka': stackVersions.kafka,
  },
  settings,
  wallSeconds: 0,
  clients: [],
  clientsMissing: [],
  layout,
  backlog,
  latency: [],
  scaling: [],
  tills: [],
  stages: [],
  notes: [],
};
log(
  `run ${runId} (${mode.name}, to ${outDir}): load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

const shop = (label: string, extra: Partial<ShopOptions> = {}) => {
  log(`shop ${label}…`);
  return runShop(bench, {
    label,
    tills: layout.tills,
    preparers: layout.preparers,
    offered: 0,
    warmupSeconds: settings.warmupSeconds,
    seconds: settings.windowSeconds,
    ...extra,
  }).then((result) => {
    const floor = result.floor ? `, Kafka's own p99 ${formatNumber(result.floor.p99)} ms` : '';
    log(
      `  ${label}: placed ${formatNumber(result.placedPerSecond)}/s, ready ${formatNumber(result.readyPerSecond)}/s, p99 ${formatNumber(result.latencyMs.p99)} ms${floor}`,
    );
    if (result.breakdown) {
      const figures = result.breakdown.stages.map((s) => `${s.stage} ${formatNumber(s.p99)}`).join(', ');
      log(`  ${label}: p99 by stage, ms: ${figures} (${result.breakdown.orders} orders)`);
    }
    return result;
  });
};

try {
  const serde = await runSerde(bench, `${bench.prefix('serde')}orders`);
  results.serde = serde;
  log(`serde: an Order is ${serde.avroBytes} bytes`);
  if (wanted('broker')) {
    log('broker: Kafka ProducerPerformance and ConsumerPerformance…');
    results.broker = await runBroker(bench, serde.avroBytes);
  }

  // Only when a part runs on the other clients: finding one logs, and the page lists a missing one.
  const confluent =
    wanted('client') || wanted('client-drains') ? await confluentClient(bench, log) : undefined;
  if (wanted('client')) {
    log('client: kafkajs…');
    results.clients.push(await runClient(bench, bench.kafka, 'kafkajs', settings.clientSeconds));
    const other = async (kafkaClient: 'confluent' | 'platformatic', library: string) => {
      log(`client: ${library}…`);
      const kafka = createKafka({ ...bench.kafkaConfig, kafkaClient }, 'chippy-bench', bench.logger);
      results.clients.push(await runClient(bench, kafka, kafkaClient, settings.clientSeconds));
    };
    if (confluent?.kafka) await other('confluent', '@confluentinc/kafka-javascript');
    await other('platformatic', '@platformatic/kafka');
  }
  if (confluent && !confluent.kafka)
    results.clientsMissing.push({ client: '@confluentinc/kafka-javascript', reason: confluent.reason });

  // The preparers' capacity: draining a backlog, with no till competing for the cores.
  const drain = (label: string, extra: Partial<ShopOptions> = {}) =>
    shop(label, { backlog, seconds: settings.drainSeconds, ...extra });
  if (wanted('shop')) {
    results.max = await drain('max');
    results.stages.push({ ...results.max, stage: 'baseline' });
  }
  const max = results.max?.readyPerSecond ?? 0;
  if (wanted('latency') && max > 0) {
    // Probes have shorter windows than the other runs, but the same warm-up: the first seconds of a run
    // (connections, the group's join, cold code) leave a queue that would count against a probe's p99.
    const probe = (offered: number) => shop(`probe-${offered}`, { offered, seconds: probeSeconds });
    results.sustained = await searchSustained(max, probes, probe);
    const sustained = results.sustained.perSecond;
    log(`  sustained (rates only): ${formatNumber(sustained)} orders/s`);
    // The latency-bounded rate is no higher than the rate-only one: the second search starts from the
    // first one's probes.
    const { p99Ms } = issueGoals;
    const within = await searchSustained(
      max,
      latencyProbes,
      probe,
      keptUpWithin(p99Ms),
      results.sustained.probes,
    );
    results.sustainedWithin = { ...within, p99Ms };
    log(`  sustained with p99 ≤ ${p99Ms} ms: ${formatNumber(within.perSecond)} orders/s`);
    for (const fraction of sustained > 0 ? [0.25, 0.5, 0.9] : []) {
      const run = await shop(`load-${Math.round(fraction * 100)}`, {
        offered: Math.round(sustained * fraction),
      });
      results.latency.push({ ...run, fraction });
    }
  }
  if (wanted('loads')) {
    // Fixed rates, whatever this run sustained, each with Kafka's own round trip measured beside it: the
    // same broker under the same load. A floor that fails leaves its row without one, and a note. Each
    // also says where its orders' time went, stage by stage (breakdown.ts).
    const withFloor = (label: string, offered: number) =>
      shop(label, {
        offered,
        breakdown: { liveReader: settings.liveReader },
        floor: () =>
          runFloor(bench, `${label}-floor`, serde.avroBytes, floorRecords).catch((error: unknown) => {
            results.notes.push(`Kafka's EndToEndLatency beside ${label} failed: ${message(error)}`);
            return undefined;
          }),
      });
    results.atLightLoad = await withFloor(`load-${lightLoad}`, lightLoad);
    // The latency goal's own load: a share of the rate the goal states.
    results.atLatencyGoal = await withFloor('load-goal', issueGoals.latencyLoad);
  }
  if (wanted('scaling')) {
    for (const preparers of [1, 2, 3]) {
      const same = preparers === layout.preparers && results.max;
      results.scaling.push(same ? results.max! : await drain(`preparers-${preparers}`, { preparers }));
    }
    for (const tills of [1, 3]) results.tills.push(await shop(`tills-${tills}`, { tills }));
  }
  if (wanted('cook')) {
    results.stages.push({
      ...(await drain('cook', { cook: true })),
      stage: 'with the cook (cabinet starts empty)',
    });
  }
  if (wanted('stages')) {
    const sink: SinkStats = { rows: 0 };
    const withJdbc = await drain('sink', { alongside: withSink(bench, sink) });
    results.stages.push({
      ...withJdbc,
      stage: 'with the JDBC sink',
      note: `${sink.rows} rows written by the end`,
    });
    // The sink at a live rate, the latency goal's: a drain pits it against the preparers for the cores,
    // where a live shop asks it to keep pace. Whether both keep up, and a row's CPU in Connect and PostgreSQL.
    // A failure here (the connector's deploy) leaves its goal unmeasured and a note, not the stages after it.
    results.atLatencyGoalWithSink = await shop('sink-live', {
      offered: issueGoals.latencyLoad,
      alongside: withSink(bench, { rows: 0 }),
    }).catch((error: unknown) => {
      results.notes.push(
        `The JDBC sink beside ${formatNumber(issueGoals.latencyLoad)}/s failed: ${message(error)}`,
      );
      return undefined;
    });
    // The preparer's own knob: one partition's batch at a time, as before fetches were prepared whole.
    const onePartition = await drain('concurrency-1', { preparerEnv: { PREPARER_CONCURRENCY: '1' } });
    results.stages.push({ ...onePartition, stage: 'PREPARER_CONCURRENCY=1 (default 64)' });
    const eos = await drain('exactly-once', { preparerEnv: { DELIVERY: 'exactly-once' } });
    results.stages.push({ ...eos, stage: 'DELIVERY=exactly-once' });
  }
  if (wanted('client-drains')) {
    const platformatic = await drain('platformatic', { env: { KAFKA_CLIENT: 'platformatic' } });
    results.stages.push({
      ...platformatic,
      stage: 'client: @platformatic/kafka',
      note: 'KAFKA_CLIENT=platformatic in every service',
    });
    if (confluent?.kafka) {
      const run = await drain('confluent', { env: confluent.env });
      results.stages.push({
        ...run,
        stage: 'client: @confluentinc/kafka-javascript',
        note: 'KAFKA_CLIENT=confluent in every service',
      });
    }
  }
  if (wanted('profile')) results.profile = await drain('profile', { preparers: 1, profile: true });
} catch (error) {
  results.notes.push(`the run stopped early: ${message(error)}`);
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  log('cleaning up…');
  await cleanUp(bench, log);
  bench.redis.disconnect();
}

results.machine.loadAtEnd = loadavg();
results.wallSeconds = (Date.now() - started) / 1000;
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'benchmarks.json'), await asJson(results));
writePage(path.join(outDir, 'benchmarks.md'), renderMarkdown(results));
log(`done in ${formatNumber(results.wallSeconds)} s: ${path.join(outDir, 'benchmarks.md')}`);
process.exit();
