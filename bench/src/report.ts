import { breakdownSection } from './breakdown-report.js';
import { cpuByService, cpuMsPerOrder, shopCpu, sinkCpuPerRow, sinkKeptUp } from './cpu.js';
import { parts, type Part } from './modes.js';
import type { Results } from './results.js';
import { ratio } from './stats.js';
import { formatNumber, formatRatio, markdownTable, type Cell } from './table.js';
import type { ShopResult } from './shop.js';
import { keptUp, keptUpWithin } from './sustained.js';

const sustainedGoal = 2500;
const latencyShare = 0.5;
/** The live shop's goals (docs/benchmarks.md, Goals): a sustained rate, and a p99 at a share of that rate. */
export const issueGoals = {
  sustainedPerSecond: sustainedGoal,
  /** The latency goal's load: a share of the rate the goal states (not of what a run sustained). */
  latencyShare,
  latencyLoad: sustainedGoal * latencyShare,
  p99Ms: 20,
  /** The shop's p99 at the latency goal's load, at most this many times Kafka's own round trip beside it. */
  floorMultiple: 5,
  /** The light fixed load the p99 goal is also judged at (modes.ts, lightLoad). */
  lightLoad: 250,
  /** The whole shop's CPU per order at the latency goal's load, every process of it summed (cpu.ts). */
  cpuMsPerOrder: 1.0,
  /** The preparers' drain at least this share of the bare kafkajs batched pipe's rate (scenarios/client.ts). */
  pipeShare: 0.6,
  /** Any service process's peak RSS, MB. */
  peakRssMb: 120,
  /** Throughput the cook may cost a drain. */
  cookCost: 0.2,
} as const;

/** "a", "a and b", "a, b and c". */
const listed = (items: readonly string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '');
const ms = (value: number): Cell => (Number.isFinite(value) ? `${formatNumber(value)} ms` : undefined);
const yesNo = (ok: boolean | undefined) => (ok === undefined ? '—' : ok ? 'yes' : '**no**');

/** The whole shop's maximum sustained rate (tills included), orders/s; NaN if not measured or none kept up. */
export function sustained(r: Results): number {
  return r.sustained && r.sustained.perSecond > 0 ? r.sustained.perSecond : Number.NaN;
}

/** The highest rate kept up with the goal's p99, orders/s; NaN if not searched, 0 if no probe managed it. */
export function sustainedWithin(r: Results): number {
  return r.sustainedWithin?.perSecond ?? Number.NaN;
}

/** Orders waiting at a live run's window start → end, or undefined (a drain, or a run before they were counted). */
const queued = (run: ShopResult): Cell =>
  run.queued ? `${formatNumber(run.queued.start)} → ${formatNumber(run.queued.end)}` : undefined;

/** A stage's ready/s over the baseline's (no cook, no sink), or NaN. */
function stageRatio(r: Results, stage: string): number {
  const baseline = r.stages.find((s) => s.stage === 'baseline')?.readyPerSecond ?? Number.NaN;
  return ratio(r.stages.find((s) => s.stage.startsWith(stage))?.readyPerSecond ?? Number.NaN, baseline);
}

/** One row of the Goals table: `met` undefined when the run did not measure it (`measured` says why). */
export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

/** A figure in ms, or a dash. */
const msText = (value: number): string => (Number.isFinite(value) ? `${formatNumber(value)} ms` : '—');
/** What a live run's figure says nothing without: whether its load was kept up. */
const unlessKept = (run: ShopResult): string => (keptUp(run) ? '' : ' (the load was not kept up)');

/** The p99 goal at a fixed load, its p99.9 beside it. */
function p99Goal(run: ShopResult): Pick<Goal, 'measured' | 'met'> {
  const { p99, p999 } = run.latencyMs;
  return {
    measured: `${msText(p99)} (p99.9 ${msText(p999)})${unlessKept(run)}`,
    met: keptUpWithin(issueGoals.p99Ms)(run),
  };
}

/** A fixed load's p99 over Kafka's own beside it, and the same of their p99.9; undefined without a floor. */
function floorGoal(run: ShopResult): Pick<Goal, 'measured' | 'met'> | undefined {
  const floor = run.floor;
  if (!floor) return undefined;
  const over = (shop: number, kafka: number) =>
    `${msText(shop)} ÷ ${msText(kafka)} = ${formatRatio(ratio(shop, kafka))}`;
  return {
    measured: `${over(run.latencyMs.p99, floor.p99)}; p99.9 ${over(run.latencyMs.p999, floor.p999)}${unlessKept(run)}`,
    met: keptUpWithin(issueGoals.floorMultiple * floor.p99)(run),
  };
}

/**
 * The whole shop's CPU per order at a load (cpu.ts): over the target is a miss whatever was not found; at
 * or under it, a part of the stack not found leaves the verdict open.
 */
function cpuGoal(run: ShopResult): Pick<Goal, 'measured' | 'met'> | undefined {
  const { shop, machine, notFound } = shopCpu(run);
  if (!Number.isFinite(shop)) return undefined;
  const cook = run.usage.some((u) => u.service === 'cook') ? '' : '; no cook runs at the fixed loads';
  const missing = notFound.length > 0 ? `; not found, so not in the sum: ${listed(notFound)}` : '';
  return {
    measured: `${formatNumber(shop)} CPU-ms (the whole machine: ${formatNumber(machine)}${cook}${missing})${unlessKept(run)}`,
    met: shop > issueGoals.cpuMsPerOrder ? false : notFound.length > 0 ? undefined : true,
  };
}

/** The JDBC sink beside a live load: whether the shop and the sink kept up, and a row's CPU beside an order's. */
function sinkGoal(run: ShopResult): Pick<Goal, 'measured' | 'met'> {
  const sink = run.sink;
  const perRow = sinkCpuPerRow(run);
  const kept = sinkKeptUp(run);
  return {
    measured:
      `the shop ${keptUp(run) ? 'kept up' : '**did not keep up**'} (p99 ${msText(run.latencyMs.p99)}); ` +
      (sink
        ? `the sink wrote ${formatNumber(sink.rowsPerSecond)} rows/s of ${formatNumber(run.placedPerSecond)} orders/s placed; ` +
          `a row: Connect ${formatNumber(perRow.connect)} + PostgreSQL ${formatNumber(perRow.postgresql)} CPU-ms, ` +
          `an order: the preparers ${formatNumber(cpuMsPerOrder(run, 'preparer'))} CPU-ms`
        : "the sink's rows were not counted (the notes say why)"),
    met: kept === undefined ? undefined : keptUp(run) && kept,
  };
}

/** The goals of docs/benchmarks.md's Goals table, each as target, figure and verdict: the issue's goals first. */
export function goals(r: Results): Goal[] {
  const { p99Ms, latencyLoad, sustainedPerSecond, floorMultiple, lightLoad } = issueGoals;
  /** In place of a figure: "not measured", and the parts that measure it if the run skipped them. */
  const notMeasured = (...names: Part[]): string => {
    const left = names.filter((name) => r.skipped?.includes(name));
    return left.length > 0
      ? `not measured: this run skipped ${listed(left.map((name) => `\`${name}\``))}`
      : 'not measured';
  };
  /** A goal's figure and verdict, or "not measured" and none when `judged` has nothing to judge. */
  const judge = <T>(
    of: T | undefined,
    judged: (of: T) => Pick<Goal, 'measured' | 'met'> | undefined,
    why: string,
  ): Pick<Goal, 'measured' | 'met'> =>
    (of === undefined ? undefined : judged(of)) ?? { measured: why, met: undefined };
  const finite = (value: number, ok: (v: number) => boolean) =>
    Number.isFinite(value) ? ok(value) : undefined;
  const figure = (value: number, text: string, ...names: Part[]) =>
    Number.isFinite(value) ? text : notMeasured(...names);
  const perSecond = (value: number, ...names: Part[]) => figure(value, `${formatNumber(value)}/s`, ...names);

  const max = r.max?.readyPerSecond ?? Number.NaN;
  const eos = r.stages.find((s) => s.stage.startsWith('DELIVERY=exactly-once'))?.readyPerSecond ?? Number.NaN;
  const light = r.atLightLoad;
  const atGoal = r.atLatencyGoal;
  const lightRate = light?.offered ?? lightLoad;
  const byPreparers = [...r.scaling].sort((a, b) => a.preparers - b.preparers);
  const rising = byPreparers
    .filter((s) => s.preparers <= r.machine.cores)
    .every((s, i, all) => i === 0 || s.readyPerSecond > all[i - 1]!.readyPerSecond);
  // Not the profiled run: --cpu-prof keeps every sample in the process's memory until it exits. Not the
  // other clients' stages either: the goal is the services as shipped (their figures are in the tables).
  const shipped = r.stages.filter((s) => !s.stage.startsWith('client:'));
  const runs = [
    r.max,
    ...r.latency,
    light,
    atGoal,
    r.atLatencyGoalWithSink,
    ...r.scaling,
    ...r.tills,
    ...shipped,
  ].filter((x): x is ShopResult => x !== undefined);
  const services = ['till', 'preparer', 'cook'];
  const rss = runs.flatMap((run) =>
    run.usage.filter((u) => services.includes(u.service)).map((u) => ({ ...u, label: run.label })),
  );
  const peak = rss.reduce(
    (a, b) => (b.peakRssMb > a.peakRssMb ? b : a),
    rss[0] ?? { peakRssMb: Number.NaN, service: 'till', label: '' },
  );
  const cook = stageRatio(r, 'with the cook');
  const pipe = r.clients.find((c) => c.client === 'kafkajs')?.batchedPipePerSecond ?? Number.NaN;
  const drainOverPipe = ratio(max, pipe);
  const beside = "against Kafka's own EndToEndLatency p99 beside it (same load, same run)";
  const floorFailed = 'not measured: no EndToEndLatency figure beside this load (a failure is in the notes)';
  return [
    {
      goal: `p99 order_time → ready at ${formatNumber(latencyLoad)}/s (${formatNumber(issueGoals.latencyShare * 100)} % of the ${formatNumber(sustainedPerSecond)}/s goal)`,
      target: `≤ ${p99Ms} ms`,
      ...judge(atGoal, p99Goal, notMeasured('loads')),
    },
    {
      goal: `p99 order_time → ready at ${formatNumber(lightRate)}/s`,
      target: `≤ ${p99Ms} ms`,
      ...judge(light, p99Goal, notMeasured('loads')),
    },
    {
      goal: `p99 order_time → ready at ${formatNumber(latencyLoad)}/s ${beside}`,
      target: `≤ ${floorMultiple}×`,
      ...judge(atGoal, floorGoal, atGoal ? floorFailed : notMeasured('loads')),
    },
    {
      goal: `p99 order_time → ready at ${formatNumber(lightRate)}/s ${beside}`,
      target: `≤ ${floorMultiple}×`,
      ...judge(light, floorGoal, light ? floorFailed : notMeasured('loads')),
    },
    {
      goal: 'throughput lost by adding the cook',
      target: `≤ ${formatNumber(issueGoals.cookCost * 100)} %`,
      measured: figure(cook, `${formatNumber((1 - cook) * 100)} % (${formatRatio(cook)})`, 'shop', 'cook'),
      met: finite(cook, (k) => k >= 1 - issueGoals.cookCost),
    },
    {
      goal: `the whole shop's CPU per order at ${formatNumber(latencyLoad)}/s (by service below)`,
      target: `≤ ${issueGoals.cpuMsPerOrder.toFixed(1)} CPU-ms`,
      ...judge(atGoal, cpuGoal, notMeasured('loads')),
    },
    {
      goal: `the JDBC sink beside the shop at a live ${formatNumber(latencyLoad)}/s: a row's CPU beside an order's in the preparers`,
      target: 'the shop and the sink keep up (95 %)',
      ...judge(r.atLatencyGoalWithSink, sinkGoal, notMeasured('stages')),
    },
    {
      goal: `${r.layout.preparers} preparers draining, against the bare kafkajs batched pipe (consume → produce a fetched batch, one commit; same run)`,
      target: `≥ ${formatRatio(issueGoals.pipeShare)}`,
      measured: figure(
        drainOverPipe,
        `${formatNumber(max)}/s ÷ ${formatNumber(pipe)}/s = ${formatRatio(drainOverPipe)}`,
        'shop',
        'client',
      ),
      met: finite(drainOverPipe, (d) => d >= issueGoals.pipeShare),
    },
    {
      goal: 'peak RSS of any service process on the default client (the profiled run aside)',
      target: `≤ ${issueGoals.peakRssMb} MB`,
      measured: figure(peak.peakRssMb, `${formatNumber(peak.peakRssMb)} MB (${peak.service}, ${peak.label})`),
      met: finite(peak.peakRssMb, (p) => p <= issueGoals.peakRssMb),
    },
    {
      goal: `${r.layout.preparers} preparers draining, at least once with the ledger`,
      target: '≥ 5,000/s',
      measured: perSecond(max, 'shop'),
      met: finite(max, (m) => m >= 5000),
    },
    {
      goal: `${r.layout.preparers} preparers draining, exactly once`,
      target: '≥ 2,000/s',
      measured: perSecond(eos, 'stages'),
      met: finite(eos, (e) => e >= 2000),
    },
    {
      goal: `throughput rises with preparers up to the core count (${r.machine.cores})`,
      target: 'rising',
      measured:
        byPreparers.map((s) => `${s.preparers}: ${formatNumber(s.readyPerSecond)}/s`).join(', ') ||
        notMeasured('scaling'),
      met: byPreparers.length > 1 ? rising : undefined,
    },
    {
      goal: 'whole shop (tills included) sustained, rates only',
      target: `≥ ${formatNumber(sustainedPerSecond)}/s`,
      // 0/s is a figure here: the search ran and no probe kept up.
      measured: r.sustained ? `${formatNumber(r.sustained.perSecond)}/s` : notMeasured('latency'),
      met: r.sustained ? r.sustained.perSecond >= sustainedPerSecond : undefined,
    },
    {
      goal: `whole shop sustained with p99 ≤ ${p99Ms} ms`,
      target: `≥ ${formatNumber(latencyLoad)}/s (the latency goal's load)`,
      measured: perSecond(sustainedWithin(r), 'latency'),
      met: finite(sustainedWithin(r), (s) => s >= latencyLoad),
    },
  ];
}

/**
 * The fixed loads' CPU per order by service (cpu.ts), as paragraphs for the page: what the figures are, the
 * table, and the JDBC sink's cost per row where the run had it beside a load. `tableOf` gives the table, or
 * what the run skipped in its place.
 */
function fixedLoadsCpu(
  r: Results,
  tableOf: (names: Part[], header: string[], rows: Cell[][]) => string[],
): string[] {
  const { latencyLoad } = issueGoals;
  const columns = (
    [
      [`${formatNumber(r.atLightLoad?.offered ?? Number.NaN)}/s`, r.atLightLoad],
      [`${formatNumber(latencyLoad)}/s`, r.atLatencyGoal],
      [`${formatNumber(latencyLoad)}/s, the JDBC sink beside`, r.atLatencyGoalWithSink],
    ] as [string, ShopResult | undefined][]
  ).filter((c): c is [string, ShopResult] => c[1] !== undefined);
  const runs = columns.map(([, run]) => run);
  const cook = cpuMsPerOrder(
    r.stages.find((s) => s.stage.startsWith('with the cook')),
    'cook',
  );
  const sinkRun = r.atLatencyGoalWithSink;
  const perRow = sinkRun && sinkCpuPerRow(sinkRun);
  return [
    ...(runs.length > 0
      ? [
          "CPU time (user + system, from /proc) each part spent in a fixed load's window, per order: the tills' per order " +
            'placed, the rest per order made ready (the same number as CPU s per 1,000 orders in the resources table). ' +
            `**The shop** is the sum of the rows above it, the figure the goal of ≤ ${issueGoals.cpuMsPerOrder.toFixed(1)} CPU-ms per order ` +
            `at ${formatNumber(latencyLoad)}/s judges. PostgreSQL is every process of its cluster; a part of the stack not found ` +
            "in the bench's network namespace (another stack than the native one) has no row, and the shop's sum lacks it. " +
            "The cook does not run at the fixed loads: their cabinet is bottomless, as in every run but the cook's drain" +
            (Number.isFinite(cook)
              ? `, where the cook spent ${formatNumber(cook)} CPU-ms per order made ready`
              : '') +
            ". The bench is its own process (it polls the tills' counters, and reads `orders-ready` in the window with " +
            "`BENCH_LIVE_READER=1`). The rest of the machine is the whole machine less the shop and the bench: Kafka's " +
            'EndToEndLatency beside the two loads without the sink (its JVM; its consumer, fetching without waiting, costs ' +
            "the broker too, in the broker's row, for as much of the window as it ran), and whatever else ran on the machine.",
        ]
      : []),
    ...tableOf(
      ['loads', 'stages'],
      ['service', ...columns.map(([label]) => label)],
      runs.length > 0 ? cpuByService(runs) : [],
    ),
    ...(sinkRun?.sink && perRow
      ? [
          `With the JDBC sink beside the shop at ${formatNumber(sinkRun.offered)}/s, it wrote ${formatNumber(sinkRun.sink.rowsPerSecond)} rows/s` +
            (sinkRun.sink.behind
              ? ` (orders placed and not yet written: ${formatNumber(sinkRun.sink.behind.start)} → ${formatNumber(sinkRun.sink.behind.end)})`
              : '') +
            `; a row cost Kafka Connect ${formatNumber(perRow.connect)} and PostgreSQL ${formatNumber(perRow.postgresql)} CPU-ms, ` +
            `where the preparers spent ${formatNumber(cpuMsPerOrder(sinkRun, 'preparer'))} CPU-ms per order.`,
        ]
      : []),
  ];
}

export function renderMarkdown(r: Results): string {
  const out: string[] = [];
  // Each part its own paragraph: a table must not follow a line of text directly.
  const add = (...paragraphs: string[]) => out.push(...paragraphs.flatMap((p) => [p, '']));
  const broker = r.broker;
  const kafkajs = r.clients.find((c) => c.client === 'kafkajs');
  const max = r.max?.readyPerSecond ?? Number.NaN;
  const quick = r.mode === 'quick';
  /** "Skipped in this run: …" for those of `names` this run left out, if any. */
  const skippedOf = (...names: Part[]): string[] => {
    const left = names.filter((name) => r.skipped?.includes(name));
    return left.length > 0 ? [`Skipped in this run: ${left.map((name) => parts[name]).join('; ')}.`] : [];
  };
  /** In place of a section's figures: the parts the run skipped, or else that it stopped before them. */
  const notMeasured = (...names: Part[]): string[] => {
    const skipped = skippedOf(...names);
    return skipped.length > 0 ? skipped : ['Not measured in this run (its notes say why).'];
  };
  /** A section's table and what of it the run skipped; never an empty table, which would say nothing. */
  const tableOf = (names: Part[], header: string[], tableRows: Cell[][]): string[] =>
    tableRows.length > 0 ? [markdownTable(header, tableRows), ...skippedOf(...names)] : notMeasured(...names);

  add(
    '# Benchmarks',
    `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` (bench/src) on ${r.date}, run \`${r.runId}\`, in ${formatNumber(r.wallSeconds)} s. ` +
      'Every figure on this page comes from that one run; ratios compare figures of the same run. ' +
      'The JSON beside this page (`benchmarks.json`) holds every number.',
    ...(quick
      ? [
          "**A quick run**: the headline rows only, for a change to a hot path, with a shorter drain window and backlog than the full run's. " +
            'Compare it with another quick run on the same machine, not with the full run of docs/benchmarks.md.',
        ]
      : []),
    ...skippedOf(...(r.skipped ?? [])),
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${formatNumber(r.machine.memoryGb)} GB, ${r.machine.os}; ` +
      `load average at the start ${r.machine.loadAtStart.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min)` +
      (r.machine.loadAtEnd
        ? `, at the end ${r.machine.loadAtEnd.map((l) => l.toFixed(2)).join(' / ')}. `
        : '. ') +
      'Everything — the broker, registry, Connect, PostgreSQL, Redis, the services and the bench itself — shares these cores.',
    `Versions: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `Shop runs: \`TIME_SCALE=0\`, a ${r.settings.warmupSeconds} s warm-up, then a ${r.settings.windowSeconds} s window` +
      (r.settings.drainSeconds !== undefined && r.settings.drainSeconds !== r.settings.windowSeconds
        ? ` (${r.settings.drainSeconds} s for a drain)`
        : '') +
      (r.clients.length > 0 ? `; client runs ${r.settings.clientSeconds} s each` : '') +
      '. Tills run with `--rate`, so they send in batches (each order ' +
      'waits up to 5 ms for others); "flat out" tills place orders as fast as they can, at most 2,000 unacknowledged, ' +
      'otherwise each till places on a fixed schedule (open loop). Latency is order_time → ready_time of the ' +
      'orders made ready in the window, from the `orders-ready` messages themselves, read once the run has stopped (so reading ' +
      "them takes none of the window's CPU)." +
      (r.settings.liveReader
        ? ' The fixed loads read them during the window instead (`BENCH_LIVE_READER=1`), for the stage breakdown.'
        : '') +
      (r.settings.serviceNodeOptions
        ? ` Every service process ran with \`NODE_OPTIONS=${r.settings.serviceNodeOptions}\`.`
        : ''),
  );

  add(
    '## Goals',
    "Each goal with this run's figure and verdict; where the run did not measure one, the figure says so, and names " +
      'the parts of the run it skipped that would have. The sections below hold the figures.',
    markdownTable(
      ['goal', 'target', 'measured', 'met'],
      goals(r).map((g) => [g.goal, g.target, g.measured, yesNo(g.met)]),
    ),
  );

  const rows: Cell[][] = [];
  const line = (layer: string, what: string, perSecond: number | undefined) =>
    rows.push([
      layer,
      what,
      perSecond ?? Number.NaN,
      formatRatio(ratio(perSecond ?? Number.NaN, broker?.producerPerSecond ?? Number.NaN)),
      formatRatio(ratio(perSecond ?? Number.NaN, kafkajs?.pipePerSecond ?? Number.NaN)),
      formatRatio(ratio(perSecond ?? Number.NaN, kafkajs?.batchedPipePerSecond ?? Number.NaN)),
    ]);
  if (broker) {
    line(
      'broker',
      `Kafka ProducerPerformance, ${broker.recordBytes} B records, acks=all (Java client batching)`,
      broker.producerPerSecond,
    );
    line('broker', 'Kafka ConsumerPerformance, same topic', broker.consumerPerSecond);
  }
  for (const c of r.clients) {
    line(c.client, 'producer, one message per send, awaited (as a till sends)', c.serialSendPerSecond);
    line(c.client, 'producer, 500 messages per send', c.batchedSendPerSecond);
    line(c.client, 'consumer group, no work per message', c.consumePerSecond);
    line(c.client, 'consume → produce one by one, each send awaited', c.pipePerSecond);
    line(
      c.client,
      'consume → produce a fetched batch in one send, one commit (the preparers without Redis and serde)',
      c.batchedPipePerSecond,
    );
  }
  if (r.max) line('shop', `${r.max.preparers} preparers draining a backlog (max)`, r.max.readyPerSecond);
  if (r.sustained)
    line(
      'shop',
      `${r.layout.tills} tills → ${r.layout.preparers} preparers: maximum sustained (rates only)`,
      sustained(r),
    );
  if (r.sustainedWithin)
    line(
      'shop',
      `${r.layout.tills} tills → ${r.layout.preparers} preparers: maximum sustained with p99 ≤ ${r.sustainedWithin.p99Ms} ms`,
      sustainedWithin(r),
    );
  for (const t of r.tills) line('shop', `${t.tills} till(s) flat out: orders placed`, t.placedPerSecond);
  for (const s of r.stages.filter((s) => s.stage.startsWith('client:')))
    line('shop', `${s.stage}: ${s.preparers} preparers draining a backlog`, s.readyPerSecond);
  add(
    '## Throughput side by side (scenarios 1–3)',
    ...tableOf(
      ['broker', 'client', 'shop', 'latency', 'scaling', 'client-drains'],
      ['layer', 'what', 'messages/s', '÷ broker producer', '÷ kafkajs pipe', '÷ kafkajs batched pipe'],
      rows,
    ),
  );
  for (const m of r.clientsMissing) add(`Not measured: **${m.client}** — ${m.reason}`);

  if (r.sustained) {
    const within = r.sustainedWithin;
    const probeRow = (search: string, passes: (p: ShopResult) => boolean) => (p: ShopResult, i: number) => [
      search,
      i + 1,
      p.offered,
      p.placedPerSecond,
      p.readyPerSecond,
      yesNo(passes(p)),
      ms(p.latencyMs.p99),
      queued(p),
    ];
    add(
      '## Maximum sustained, tills included (scenario 3)',
      `The highest load the whole shop keeps up with: ${r.layout.tills} tills offering orders open-loop, ${r.layout.preparers} preparers. ` +
        `Found by bisection between 0 and the preparers' drain rate (${formatNumber(max)} orders/s): a probe "kept up" when the tills ` +
        'placed 95 % or more of the load offered and the preparers made ready 95 % or more of what was placed. A live order costs more ' +
        "than a drained one: at a live rate a fetched batch holds only the orders that arrived since the last fetch, so the preparers' " +
        'round trips and commits are shared by few orders, where a backlog is fetched up to 256 KB a partition at a time. The tills and the broker ' +
        `share the same cores. Sustained, rates only: **${formatNumber(sustained(r))} orders/s**.`,
      'Rates alone pass a probe whose window drains a queue the warm-up left, or holds one steady, however long its orders wait. ' +
        (within
          ? `A second search goes on from the first one's probes and also requires p99 ≤ ${within.p99Ms} ms over the window. ` +
            `Sustained with p99 ≤ ${within.p99Ms} ms: **${formatNumber(within.perSecond)} orders/s**.`
          : 'This run did not search for a rate with a bounded p99.') +
        ' "Queued" is the orders placed and not yet ready at the start → end of the window.',
      markdownTable(
        ['search', 'probe', 'offered/s', 'placed/s', 'ready/s', 'passed', 'p99', 'queued'],
        [
          ...r.sustained.probes.map(probeRow('rates', keptUp)),
          ...(within?.probes ?? []).map(
            probeRow(`p99 ≤ ${within?.p99Ms} ms`, keptUpWithin(within?.p99Ms ?? 0)),
          ),
        ],
      ),
    );
  } else if (r.skipped?.includes('latency')) {
    add('## Maximum sustained, tills included (scenario 3)', ...skippedOf('latency'));
  }

  const { latencyLoad, latencyShare, sustainedPerSecond } = issueGoals;
  const latencyRow = (load: string, l: ShopResult): Cell[] => [
    load,
    l.offered,
    l.placedPerSecond,
    l.readyPerSecond,
    keptUp(l) ? 'yes' : '**no**',
    ms(l.latencyMs.p50),
    ms(l.latencyMs.p95),
    ms(l.latencyMs.p99),
    ms(l.latencyMs.p999),
    ms(l.floor?.p99 ?? Number.NaN),
    ms(l.floor?.p999 ?? Number.NaN),
    ms(l.latencyMs.max),
    l.latencyMs.count,
    queued(l),
  ];
  const loads = [
    ...(r.latency.length > 0
      ? [`at fractions of the sustained max (rates only, ${formatNumber(sustained(r))} orders/s)`]
      : []),
    ...(r.atLightLoad ? [`at a light ${formatNumber(r.atLightLoad.offered)}/s`] : []),
    ...(r.atLatencyGoal
      ? [
          `at the latency goal's load (${formatNumber(latencyShare * 100)} % of the goal's ${formatNumber(sustainedPerSecond)}/s)`,
        ]
      : []),
    ...(r.atLatencyGoalWithSink
      ? ['at that load again with the JDBC sink writing every order to PostgreSQL beside the shop']
      : []),
  ];
  const beside = [r.atLightLoad, r.atLatencyGoal].filter((l): l is ShopResult => l?.floor !== undefined);
  const floorOf = beside[0]?.floor;
  add(
    '## Latency at a fixed offered load (scenario 3)',
    ...(loads.length > 0
      ? [
          `Offered open-loop ${listed(loads)}, by ${r.layout.tills} tills, ${r.layout.preparers} preparers, ` +
            'measured over the full window. "Kept up": the tills placed 95 % or more of the load offered and the preparers made ready ' +
            '95 % or more of what was placed; "queued": the orders placed and not yet ready at the start → end of the window.',
        ]
      : []),
    ...(floorOf
      ? [
          "Kafka's p99 and p99.9 are Kafka's own `EndToEndLatency` (kafka-tools) on the same broker under the same load, run beside " +
            `each fixed load: ${formatNumber(floorOf.records)} messages of ${floorOf.recordBytes} bytes (an encoded \`Order\`), one at a time, ` +
            'acks=all, each consumed before the next is sent, on a topic of its own. It starts with the warm-up, and the tills keep ' +
            `offering until it ends (warm-up and window: ${formatNumber(r.settings.warmupSeconds + r.settings.windowSeconds)} s). ` +
            beside
              .map(
                ({ offered, floor }) =>
                  `At ${formatNumber(offered)}/s it ran ${formatNumber(floor!.seconds)} s: mean ${formatNumber(floor!.avgMs)} ms, p50 ${formatNumber(floor!.p50)} ms. `,
              )
              .join('') +
            'Its figures are whole milliseconds, each round trip rounded down by the tool, and its consumer fetches without ' +
            "waiting (fetch.max.wait.ms=0), so it also takes some of the cores' time from the shop.",
        ]
      : []),
    ...tableOf(
      ['latency', 'loads', 'stages'],
      [
        'load',
        'offered/s',
        'placed/s',
        'ready/s',
        'kept up',
        'p50',
        'p95',
        'p99',
        'p99.9',
        "Kafka's p99",
        "Kafka's p99.9",
        'max',
        'orders',
        'queued',
      ],
      [
        ...r.latency.map((l) => latencyRow(`${Math.round(l.fraction * 100)} %`, l)),
        ...(r.atLightLoad ? [latencyRow(`${formatNumber(r.atLightLoad.offered)}/s`, r.atLightLoad)] : []),
        ...(r.atLatencyGoal ? [latencyRow(`goal: ${formatNumber(latencyLoad)}/s`, r.atLatencyGoal)] : []),
        ...(r.atLatencyGoalWithSink
          ? [
              latencyRow(
                `goal: ${formatNumber(latencyLoad)}/s, the JDBC sink beside`,
                r.atLatencyGoalWithSink,
              ),
            ]
          : []),
      ],
    ),
    ...breakdownSection([
      [`${formatNumber(r.atLightLoad?.offered ?? Number.NaN)}/s`, r.atLightLoad],
      [`the goal's ${formatNumber(latencyLoad)}/s`, r.atLatencyGoal],
    ]),
  );

  add('## CPU-ms per order, by service, at the fixed loads', ...fixedLoadsCpu(r, tableOf));

  const onePreparer = r.scaling.find((s) => s.preparers === 1)?.readyPerSecond ?? Number.NaN;
  if (r.scaling.length === 0 && r.tills.length === 0)
    add('## Scaling (scenario 4)', ...notMeasured('scaling'));
  else
    add(
      '## Scaling (scenario 4)',
      `Preparer processes draining a backlog of ${r.backlog} orders on the 6-partition topic (no tills running); the ratio is over one preparer.`,
      markdownTable(
        ['preparers', 'ready/s', 'ratio', 'preparer CPU s / 1,000 orders'],
        r.scaling.map((s) => [
          s.preparers,
          s.readyPerSecond,
          formatRatio(ratio(s.readyPerSecond, onePreparer)),
          s.usage.find((u) => u.service === 'preparer')?.cpuPer1000,
        ]),
      ),
      `Tills flat out (batched sends, at most 2,000 orders unacknowledged), with ${r.layout.preparers} preparers running; the ratio is over one till.`,
      markdownTable(
        ['tills', 'placed/s', 'ratio', 'ready/s', 'till CPU s / 1,000 orders'],
        r.tills.map((t) => [
          t.tills,
          t.placedPerSecond,
          formatRatio(ratio(t.placedPerSecond, r.tills[0]?.placedPerSecond ?? Number.NaN)),
          t.readyPerSecond,
          t.usage.find((u) => u.service === 'till')?.cpuPer1000,
        ]),
      ),
    );

  const drains = new Map([...r.scaling, ...r.stages].map((s) => [s.label, s]));
  const emptied = [...drains.values()].filter((s) => s.drainedAfterSeconds !== undefined);
  if (emptied.length > 0) {
    add(
      `Drains that emptied the backlog inside the window are measured up to their last order: ${emptied
        .map((s) => `${s.label} after ${formatNumber(s.drainedAfterSeconds!)} s`)
        .join(', ')}.`,
    );
  }

  const baseline = r.stages.find((s) => s.stage === 'baseline')?.readyPerSecond ?? max;
  add(
    '## What each stage costs (scenario 5)',
    `${r.layout.preparers} preparers draining a backlog of ${r.backlog} orders; the ratio is ready/s over the baseline (bottomless cabinet, no cook, no sink, at-least-once, kafkajs).`,
    ...tableOf(
      ['shop', 'cook', 'stages', 'client-drains'],
      ['stage', 'ready/s', 'ratio', 'preparer CPU s / 1,000 orders', 'note'],
      r.stages.map((s) => [
        s.stage,
        s.readyPerSecond,
        formatRatio(ratio(s.readyPerSecond, baseline)),
        s.usage.find((u) => u.service === 'preparer')?.cpuPer1000,
        s.note,
      ]),
    ),
  );

  if (r.serde) {
    const s = r.serde;
    add(
      '## Serde (scenario 6)',
      `One \`Order\`: ${s.avroBytes} bytes as Confluent-framed Avro, ${s.jsonBytes} bytes as JSON. Single thread, schema id cached.`,
      markdownTable(
        ['operation', 'ops/s', 'µs per op', '÷ JSON'],
        [
          [
            'encode: registry serde (avsc, validated)',
            s.avroEncode,
            1e6 / s.avroEncode,
            formatRatio(ratio(s.avroEncode, s.jsonStringify)),
          ],
          ['encode: JSON.stringify', s.jsonStringify, 1e6 / s.jsonStringify, '1.00×'],
          [
            'decode: registry serde (avsc, plain object)',
            s.avroDecode,
            1e6 / s.avroDecode,
            formatRatio(ratio(s.avroDecode, s.jsonParse)),
          ],
          ['decode: JSON.parse', s.jsonParse, 1e6 / s.jsonParse, '1.00×'],
        ],
      ),
    );
  }

  const resourceRuns = [
    r.max,
    // By label: a report rendered again from the JSON (render.ts) has copies, not the same objects.
    ...r.scaling.filter((x) => x.label !== r.max?.label),
    ...r.latency,
    r.atLightLoad,
    r.atLatencyGoal,
    r.atLatencyGoalWithSink,
    ...r.tills,
    ...r.stages.filter((x) => x.stage !== 'baseline'),
    r.profile,
  ].filter((x): x is ShopResult => x !== undefined);
  add(
    '## Resources (scenario 7)',
    'CPU seconds (user + system, from /proc) per 1,000 orders each service handled in the window (tills: orders placed; the rest: orders made ready) ' +
      'and the peak RSS (VmHWM) of its largest process. The parts of the stack (the broker, the registry, Redis, Connect, ' +
      "PostgreSQL: all its cluster's processes, those in the bench's network namespace), the bench itself and the whole " +
      'machine (which includes whatever else was running) are per 1,000 orders made ready.',
    markdownTable(
      ['run', 'service', 'processes', 'CPU s / 1,000 orders', 'peak RSS MB'],
      resourceRuns.flatMap((run) =>
        run.usage.map((u) => [run.label, u.service, u.processes, u.cpuPer1000, u.peakRssMb]),
      ),
    ),
  );

  if (r.profile?.profile) {
    add(
      '## Where a preparer spends its CPU',
      `\`node --cpu-prof\` on one preparer draining a backlog alone (${formatNumber(r.profile.readyPerSecond)} orders/s ready). ` +
        `The process was busy ${formatNumber((r.profile.profileBusy ?? Number.NaN) * 100)} % of the run (the rest it waited on Redis and Kafka). ` +
        'Self time, summed per function, as a share of the time the process was not idle.',
      markdownTable(
        ['#', 'function (file:line)', 'share of busy time', 'ms'],
        r.profile.profile.map((p, i) => [i + 1, `\`${p.name}\``, `${(p.share * 100).toFixed(1)} %`, p.ms]),
      ),
    );
  }
  if (r.notes.length > 0) add('## Notes from this run', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}
