/**
 * The bench's two runs, their defaults in one place: the full run (`npm run bench`), which writes the page
 * of record, and the quick run (`npm run bench -- --quick`), its headline rows in under 5 minutes for a
 * change to a hot path. BENCH_* variables override either (bench/src/main.ts).
 */

/**
 * The parts of a run in the order they run, and what each measures: the page names those a run skipped.
 * The serde always runs: an encoded Order's size is every other scenario's record size.
 */
export const parts = {
  broker: "Kafka's ProducerPerformance and ConsumerPerformance",
  client: 'the raw clients (kafkajs, @platformatic/kafka, @confluentinc/kafka-javascript)',
  shop: "the preparers' drain (max)",
  latency: 'the maximum sustained searches and the loads at fractions of the sustained rate',
  loads:
    "the fixed loads (a light one and the latency goal's), with Kafka's EndToEndLatency beside each and their orders' time stage by stage",
  scaling: '1, 2 and 3 preparers draining; 1 and 3 tills flat out',
  cook: "the cook's stage",
  stages:
    "the JDBC sink (draining, and beside the latency goal's 1,250/s), PREPARER_CONCURRENCY=1 and exactly-once stages",
  'client-drains': 'the drains with every service on @platformatic/kafka or @confluentinc/kafka-javascript',
  profile: 'the profiled preparer',
} as const;
export type Part = keyof typeof parts;

export interface Mode {
  name: 'full' | 'quick';
  parts: readonly Part[];
  /** Where the page and its JSON go, from the repository's root (BENCH_OUT_DIR overrides it). */
  outDir: string;
  warmupSeconds: number;
  /** The window of a live run (tills placing orders). */
  windowSeconds: number;
  /** The window of a drain (preparers emptying a backlog, no tills). */
  drainSeconds: number;
  clientSeconds: number;
  /** Orders waiting before a drain starts: more than the fastest drain takes in warm-up + window. */
  backlog: number;
  /** Runs that search for the whole shop's maximum sustained rate (rates only), and then with the goal's p99. */
  probes: number;
  latencyProbes: number;
  probeSeconds: number;
  /** The fixed loads' light one, orders/s: the other is the latency goal's (1,250/s). */
  lightLoad: number;
  /** Round trips of Kafka's EndToEndLatency beside each fixed load: at 1,000, p99.9 is its highest but one. */
  floorRecords: number;
}

/**
 * Every part: docs/benchmarks.md and docs/benchmarks.json. Its ten drains (the preparers' max, 1 and 3
 * preparers, the cook, the sink, one partition at a time, exactly once, the two other clients, the profile)
 * have the 5 s window and 600,000-order backlog the quick run's comment works out: with 10 s and 1,200,000
 * each took about 20 s more, and the run 21–27 minutes, over the 20 it is meant to take; with these, run
 * 2612050834 took 760 s (docs/benchmarks.md).
 */
export const fullRun: Mode = {
  name: 'full',
  parts: Object.keys(parts) as Part[],
  outDir: 'docs',
  warmupSeconds: 3,
  windowSeconds: 10,
  drainSeconds: 5,
  clientSeconds: 5,
  backlog: 600_000,
  probes: 5,
  latencyProbes: 4,
  probeSeconds: 6,
  lightLoad: 250,
  floorRecords: 1000,
};

/**
 * The headline rows only: the serde, the preparers' drain (max), the two fixed loads with Kafka's
 * EndToEndLatency beside each, and the cook's stage, with the full run's windows (at 250/s a 10 s window
 * holds 2,500 orders, enough for a p99.9). A drain's 5 s window and its backlog: the preparers drain while
 * the backlog is sent, so it covers the send too. Run
 * 2611301535 drained its 1,200,000 at 28,645/s, the fastest here, through its whole 10 s window, so the
 * send went at 41,500 orders/s or more; at those rates 600,000 leave about 100,000 after the send and the
 * warm-up: 3.5 s of window, where a drain needs 3 to be measured (shop.ts). Wall time on the 2-core machine:
 *
 *   build (nothing to compile)                                                              10 s
 *   the native stack's start, its artifacts cached                                          25 s
 *   serde (four 1 s timings)                                                                  5 s
 *   drain, twice (max; the cook): preparers ready 5 + settling 3.5 + sending the backlog 14
 *     + warm-up 3 + window 5 + stop 2 + reading orders-ready 8 ≈ 41 s each                    82 s
 *   fixed load, twice (250/s, 1,250/s): preparers ready 5 + tills ready 3 + warm-up 3
 *     + window 10 + stop 3 + reading orders-ready 5 + the window's stamps from orders 2
 *     ≈ 31 s each                                                                            62 s
 *   EndToEndLatency past the window: it starts with the warm-up, 13 s under the load; its JVM
 *     starts in 2 s, and 1,000 round trips at up to 20 ms each end up to 10 s later, each   0–20 s
 *   clean-up (a ledger key per drained order, topics, groups) and the page                  15 s
 *                                                               total 199–219 s ≈ 3.3–3.7 min
 */
export const quickRun: Mode = {
  ...fullRun,
  name: 'quick',
  parts: ['shop', 'loads', 'cook'],
  outDir: 'test-output/bench-quick',
};

export const usage = `Usage: npm run bench [-- --quick | --help]

  (no option)  every part, 12–13 min: writes docs/benchmarks.md and docs/benchmarks.json
  --quick      the headline rows, under 5 min: the serde, the preparers' drain, ${quickRun.lightLoad}/s and the latency
               goal's 1,250/s with Kafka's EndToEndLatency beside each and their orders' stages, the cook;
               writes ${quickRun.outDir}/, never docs/
  --help       this text

BENCH_OUT_DIR=<dir> writes elsewhere. BENCH_ONLY=<part>,… runs a subset of the run's parts:
${Object.keys(parts).join(', ')}.
bench/src/main.ts lists the other BENCH_* settings.`;

/** The command line: the run to make, or usage to print (--help), or one line saying what was wrong. */
export function parseArgs(args: readonly string[]): { mode: Mode } | { help: true } | { error: string } {
  let mode = fullRun;
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--quick') mode = quickRun;
    else return { error: `bench: unknown option ${arg} (npm run bench -- --help lists them)` };
  }
  return { mode };
}
