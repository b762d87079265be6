import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakdown, type OrderStamps } from './breakdown.js';
import { goals, renderMarkdown, sustained } from './report.js';
import type { Results } from './results.js';
import type { ShopResult } from './shop.js';
import { serviceUsage } from './testing.js';

const run = (placed: number, ready: number, fraction: number): ShopResult & { fraction: number } => ({
  label: `load-${fraction}`,
  tills: 3,
  preparers: 2,
  offered: placed,
  placedPerSecond: placed,
  readyPerSecond: ready,
  latencyMs: { count: 10, p50: 5, p95: 9, p99: 12, p999: 15, max: 20 },
  queued: { start: 3, end: 900 },
  usage: [{ service: 'preparer', processes: 2, cpuPer1000: 1.5, peakRssMb: 120 }],
  fraction,
});

const results = (): Results => ({
  runId: 'r',
  date: 'today',
  machine: { cpu: 'cpu', cores: 2, memoryGb: 4, os: 'Linux', loadAtStart: [0.5, 0.5, 0.5] },
  versions: { kafkajs: '2.2.4' },
  settings: { windowSeconds: 10, warmupSeconds: 3, clientSeconds: 5 },
  wallSeconds: 100,
  clients: [
    {
      client: 'kafkajs',
      serialSendPerSecond: 1000,
      batchedSendPerSecond: 50_000,
      consumePerSecond: 200_000,
      pipePerSecond: 400,
      batchedPipePerSecond: 4000,
    },
  ],
  clientsMissing: [],
  layout: { tills: 3, preparers: 2 },
  backlog: 1000,
  sustained: { perSecond: 400, probes: [run(500, 300, 1), run(250, 250, 1), run(375, 370, 1)] },
  latency: [run(100, 100, 0.25), run(200, 199, 0.5), run(360, 300, 0.9)],
  scaling: [],
  tills: [],
  stages: [],
  notes: [],
});

describe('the bench report', () => {
  it('sustained is what the search found, and not a figure when no probe kept up', () => {
    assert.equal(sustained(results()), 400);
    assert.ok(Number.isNaN(sustained({ ...results(), sustained: { perSecond: 0, probes: [] } })));
    assert.ok(Number.isNaN(sustained({ ...results(), sustained: undefined })));
  });

  it('the markdown states the goals with their verdicts', () => {
    const md = renderMarkdown(results());
    assert.match(
      md,
      /\| whole shop \(tills included\) sustained, rates only \| ≥ 2,500\/s \| 400\/s \| \*\*no\*\* \|/,
    );
    assert.match(md, /Sustained, rates only: \*\*400 orders\/s\*\*/);
    assert.match(
      md,
      /\| rates \| 1 \| 500 \| 500 \| 300 \| \*\*no\*\* \| 12 ms \| 3 → 900 \|/,
      'each probe listed',
    );
    assert.match(md, /\| 90 % \| 360 \| 360 \| 300 \| \*\*no\*\* \|/);
  });

  it('the latency goal is judged at its own load, half the 2,500/s the goal states', () => {
    const atGoal = { ...run(1250, 1250, 1), label: 'load-goal' };
    const judged = (p99: number, ready = 1250) =>
      renderMarkdown({
        ...results(),
        atLatencyGoal: { ...atGoal, readyPerSecond: ready, latencyMs: { ...atGoal.latencyMs, p99 } },
      });
    const row =
      /\| p99 order_time → ready at 1,250\/s \(50 % of the 2,500\/s goal\) \| ≤ 20 ms \| ([^|]+) \| ([^|]+) \|/;
    assert.deepEqual(judged(12).match(row)?.slice(1), ['12 ms (p99.9 15 ms)', 'yes']);
    assert.deepEqual(judged(25).match(row)?.slice(1), ['25 ms (p99.9 15 ms)', '**no**']);
    assert.deepEqual(
      judged(12, 900).match(row)?.slice(1),
      ['12 ms (p99.9 15 ms) (the load was not kept up)', '**no**'],
      'a p99 of the orders that got through says nothing when the rest queued',
    );
    assert.match(
      judged(12),
      /\| goal: 1,250\/s \| 1,250 \| 1,250 \| 1,250 \| yes \|/,
      'listed with the other loads',
    );
    assert.deepEqual(renderMarkdown(results()).match(row)?.slice(1), ['not measured', '—']);
  });

  it('the p99 goal at the light 250/s as well, from its own fixed load', () => {
    const light = { ...run(250, 250, 1), label: 'load-250' };
    const row = /\| p99 order_time → ready at 250\/s \| ≤ 20 ms \| ([^|]+) \| ([^|]+) \|/;
    assert.deepEqual(
      renderMarkdown({ ...results(), atLightLoad: light })
        .match(row)
        ?.slice(1),
      ['12 ms (p99.9 15 ms)', 'yes'],
    );
    assert.deepEqual(
      renderMarkdown({ ...results(), skipped: ['loads'] })
        .match(row)
        ?.slice(1),
      ['not measured: this run skipped `loads`', '—'],
    );
  });

  it('the rate kept up with a bounded p99 is reported beside the rates-only one, with its probes', () => {
    const fast = (offered: number) => ({
      ...run(offered, offered, 1),
      latencyMs: { count: 9, p50: 2, p95: 5, p99: 8, p999: 9, max: 9 },
    });
    const md = renderMarkdown({
      ...results(),
      sustainedWithin: {
        perSecond: 125,
        p99Ms: 20,
        probes: [
          fast(125),
          { ...fast(188), latencyMs: { count: 9, p50: 20, p95: 40, p99: 45, p999: 50, max: 50 } },
        ],
      },
    });
    assert.match(
      md,
      /\| whole shop sustained with p99 ≤ 20 ms \| ≥ 1,250\/s \(the latency goal's load\) \| 125\/s \| \*\*no\*\* \|/,
    );
    assert.match(md, /Sustained with p99 ≤ 20 ms: \*\*125 orders\/s\*\*/);
    assert.match(md, /\| shop \| 3 tills → 2 preparers: maximum sustained with p99 ≤ 20 ms \| 125 \|/);
    assert.match(md, /\| p99 ≤ 20 ms \| 1 \| 125 \| 125 \| 125 \| yes \| 8 ms \|/);
    assert.match(
      md,
      /\| p99 ≤ 20 ms \| 2 \| 188 \| 188 \| 188 \| \*\*no\*\* \| 45 ms \|/,
      'rates kept, p99 not',
    );
    assert.match(renderMarkdown(results()), /did not search for a rate with a bounded p99/);
  });

  it('the RSS goal leaves out the profiled run, whose profiler holds its samples in memory', () => {
    const profiled = { ...run(0, 400, 1), label: 'profile' };
    profiled.usage = [{ service: 'preparer', processes: 1, cpuPer1000: 1, peakRssMb: 190 }];
    const md = renderMarkdown({ ...results(), profile: profiled });
    assert.match(
      md,
      /\| peak RSS of any service process on the default client \(the profiled run aside\) \| ≤ 120 MB \| 120 MB \(preparer, load-0\.25\) \| yes \|/,
    );
    assert.match(md, /\| profile \| preparer \| 1 \| 1 \| 190 \|/, 'still shown among the resources');
  });

  it('the run shared by the scaling table and the max is listed once, also when rendered from JSON', () => {
    const max = { ...run(0, 300, 1), label: 'max' };
    const r = { ...results(), max, scaling: [{ ...max }] };
    const md = renderMarkdown(JSON.parse(JSON.stringify(r)) as Results);
    assert.equal(md.match(/^\| max \| preparer \|/gm)?.length, 1);
  });

  it('the drain goals and what the cook and the sink cost, from the stages', () => {
    const stage = (name: string, ready: number) => ({ ...run(0, ready, 1), label: name, stage: name });
    const max = { ...run(0, 6000, 1), label: 'max' };
    const md = renderMarkdown({
      ...results(),
      max,
      stages: [
        stage('baseline', 6000),
        stage('with the cook (cabinet starts empty)', 5000),
        stage('with the JDBC sink', 4000),
        stage('DELIVERY=exactly-once', 2500),
      ],
    });
    assert.match(
      md,
      /\| 2 preparers draining, at least once with the ledger \| ≥ 5,000\/s \| 6,000\/s \| yes \|/,
    );
    assert.match(md, /\| 2 preparers draining, exactly once \| ≥ 2,000\/s \| 2,500\/s \| yes \|/);
    assert.match(md, /\| throughput lost by adding the cook \| ≤ 20 % \| 16\.7 % \(0\.83×\) \| yes \|/);
    assert.doesNotMatch(md, /throughput lost by adding the JDBC sink/, 'the sink is judged at a live rate');
    assert.match(md, /\| with the JDBC sink \| 4,000 \| 0\.67× \|/, "its drain's cost still in the stages");
  });

  it("the goal's load is set against Kafka's own EndToEndLatency beside it, p99 and p99.9 side by side", () => {
    const floor = { records: 1000, recordBytes: 85, avgMs: 4.2, p50: 4, p99: 9, p999: 14, seconds: 15 };
    const atGoal = { ...run(1250, 1250, 1), label: 'load-goal', floor };
    const light = { ...run(250, 250, 1), label: 'load-250', floor: { ...floor, p99: 3, p999: 5 } };
    const md = (p99: number) =>
      renderMarkdown({
        ...results(),
        atLightLoad: light,
        atLatencyGoal: { ...atGoal, latencyMs: { ...atGoal.latencyMs, p99 } },
      });
    const row = (load: string) =>
      new RegExp(
        `\\| p99 order_time → ready at ${load}\\/s against Kafka's own EndToEndLatency p99 beside it \\(same load, same run\\) \\| ≤ 5× \\| ([^|]+) \\| ([^|]+) \\|`,
      );
    assert.deepEqual(md(40).match(row('1,250'))?.slice(1), [
      '40 ms ÷ 9 ms = 4.44×; p99.9 15 ms ÷ 14 ms = 1.07×',
      'yes',
    ]);
    assert.deepEqual(md(72).match(row('1,250'))?.slice(1), [
      '72 ms ÷ 9 ms = 8.00×; p99.9 15 ms ÷ 14 ms = 1.07×',
      '**no**',
    ]);
    assert.deepEqual(
      md(72).match(row('250'))?.slice(1),
      ['12 ms ÷ 3 ms = 4.00×; p99.9 15 ms ÷ 5 ms = 3.00×', 'yes'],
      'the light load against its own floor',
    );
    assert.deepEqual(
      renderMarkdown({ ...results(), atLightLoad: { ...light, floor: undefined } })
        .match(row('250'))
        ?.slice(1),
      ['not measured: no EndToEndLatency figure beside this load (a failure is in the notes)', '—'],
    );
    assert.match(
      md(40),
      /\| 250\/s \| 250 \| 250 \| 250 \| yes \| 5 ms \| 9 ms \| 12 ms \| 15 ms \| 3 ms \| 5 ms \| 20 ms \|/,
    );
    assert.match(
      md(40),
      /\| goal: 1,250\/s \| 1,250 \| 1,250 \| 1,250 \| yes \| 5 ms \| 9 ms \| 40 ms \| 15 ms \| 9 ms \| 14 ms \|/,
    );
    assert.match(md(40), /1,000 messages of 85 bytes/);
    assert.deepEqual(renderMarkdown(results()).match(row('1,250'))?.slice(1), ['not measured', '—']);
  });

  it("CPU-ms per order by service at each fixed load, with the JDBC sink beside the goal's load as a column", () => {
    const use = serviceUsage;
    const usage = (scale: number) =>
      [
        use('till', 0.5, 3),
        use('preparer', 0.25, 2),
        use('kafka broker', 0.125),
        use('redis', 0.0625),
        use('kafka connect', 0),
        use('postgresql', 0.0625, 6),
        use('bench', 0.125),
        use('whole machine', 1.5, 0),
      ].map((u) => ({ ...u, cpuPer1000: u.cpuPer1000 * scale }));
    const light = { ...run(250, 250, 1), label: 'load-250', usage: usage(4) };
    const atGoal = { ...run(1250, 1250, 1), label: 'load-goal', usage: usage(1) };
    const withSink = {
      ...run(1250, 1250, 1),
      label: 'sink-live',
      usage: [...usage(1).filter((u) => u.service !== 'kafka connect'), use('kafka connect', 0.1)],
      sink: { rowsPerSecond: 1000, behind: { start: 900, end: 40 } },
    };
    const cook = { ...run(0, 5000, 1), label: 'cook', stage: 'with the cook (cabinet starts empty)' };
    cook.usage = [use('cook', 0.01)];
    const md = renderMarkdown({
      ...results(),
      atLightLoad: light,
      atLatencyGoal: atGoal,
      atLatencyGoalWithSink: withSink,
      stages: [cook],
    });
    const section = md.slice(md.indexOf('## CPU-ms per order, by service, at the fixed loads'));
    assert.match(section, /^\| service \| 250\/s \| 1,250\/s \| 1,250\/s, the JDBC sink beside \|$/m);
    assert.match(section, /^\| tills \| 2 \| 0\.5 \| 0\.5 \|$/m);
    assert.match(section, /^\| the cook \| — \| — \| — \|$/m, 'no cook at the fixed loads');
    assert.match(section, /^\| Kafka Connect \| 0 \| 0 \| 0\.1 \|$/m);
    assert.match(section, /^\| \*\*the shop\*\* \(the rows above\) \| 4 \| 1 \| 1\.1 \|$/m);
    assert.match(section, /^\| the rest of the machine \| 1\.5 \| 0\.38 \| 0\.27 \|$/m);
    assert.match(
      section,
      /as in every run but the cook's drain, where the cook spent 0\.01 CPU-ms per order made ready\./,
    );
    assert.match(
      section,
      /With the JDBC sink beside the shop at 1,250\/s, it wrote 1,000 rows\/s \(orders placed and not yet written: 900 → 40\); a row cost Kafka Connect 0\.13 and PostgreSQL 0\.08 CPU-ms, where the preparers spent 0\.25 CPU-ms per order\./,
    );
    assert.match(
      renderMarkdown({ ...results(), skipped: ['loads', 'stages'] }),
      /## CPU-ms per order, by service, at the fixed loads\n\nSkipped in this run: the fixed loads/,
    );
  });

  it("the whole shop's CPU per order at 1,250/s is its processes summed, the whole machine beside", () => {
    const use = (service: string, cpuPer1000: number) => serviceUsage(service, cpuPer1000, 1, 100);
    const stack = [use('kafka broker', 0.25), use('schema registry', 0), use('redis', 0.05)];
    const atGoal = (usage: ShopResult['usage'], ready = 1250) => ({
      ...run(1250, ready, 1),
      label: 'load-goal',
      usage: [...usage, use('bench', 0.1), use('whole machine', 1.5)],
    });
    const row =
      /\| the whole shop's CPU per order at 1,250\/s \(by service below\) \| ≤ 1\.0 CPU-ms \| ([^|]+) \| ([^|]+) \|/;
    const judged = (usage: ShopResult['usage'], ready?: number) =>
      renderMarkdown({ ...results(), atLatencyGoal: atGoal(usage, ready) })
        .match(row)
        ?.slice(1);
    const shop = [
      use('till', 0.4),
      use('preparer', 0.3),
      ...stack,
      use('kafka connect', 0),
      use('postgresql', 0),
    ];
    assert.deepEqual(judged(shop), [
      '1 CPU-ms (the whole machine: 1.5; no cook runs at the fixed loads)',
      'yes',
    ]);
    assert.deepEqual(judged([...shop, use('cook', 0.05)]), [
      '1.05 CPU-ms (the whole machine: 1.5)',
      '**no**',
    ]);
    assert.deepEqual(judged([use('till', 0.6), ...shop.slice(1)], 900), [
      '1.2 CPU-ms (the whole machine: 1.5; no cook runs at the fixed loads) (the load was not kept up)',
      '**no**',
    ]);
    const elsewhere = [use('till', 0.4), use('preparer', 0.3)];
    assert.deepEqual(
      judged(elsewhere),
      [
        '0.7 CPU-ms (the whole machine: 1.5; no cook runs at the fixed loads; not found, so not in the sum: the Kafka broker, the schema registry, Redis, Kafka Connect and PostgreSQL)',
        '—',
      ],
      'under the target without the stack: not judged',
    );
    assert.deepEqual(
      judged([use('till', 0.8), use('preparer', 0.3)])?.[1],
      '**no**',
      'over it without the stack',
    );
  });

  it('the JDBC sink at the live 1,250/s: kept up or not, a row in Connect and PostgreSQL beside an order in the preparers', () => {
    const use = (service: string, cpuPer1000: number) => serviceUsage(service, cpuPer1000, 1, 100);
    const withSink = (rowsPerSecond: number | undefined, ready = 1250) => ({
      ...run(1250, ready, 1),
      label: 'sink-live',
      usage: [use('preparer', 0.5), use('kafka connect', 0.2), use('postgresql', 0.1)],
      ...(rowsPerSecond !== undefined && { sink: { rowsPerSecond, behind: { start: 500, end: 10 } } }),
    });
    const row =
      /\| the JDBC sink beside the shop at a live 1,250\/s: [^|]+ \| the shop and the sink keep up \(95 %\) \| ([^|]+) \| ([^|]+) \|/;
    const judged = (r: ShopResult) =>
      renderMarkdown({ ...results(), atLatencyGoalWithSink: r })
        .match(row)
        ?.slice(1);
    assert.deepEqual(judged(withSink(1250)), [
      'the shop kept up (p99 12 ms); the sink wrote 1,250 rows/s of 1,250 orders/s placed; a row: Connect 0.2 + PostgreSQL 0.1 CPU-ms, an order: the preparers 0.5 CPU-ms',
      'yes',
    ]);
    assert.equal(judged(withSink(1000))?.[1], '**no**', 'the sink fell behind');
    assert.match(judged(withSink(1250, 900))?.[0] ?? '', /^the shop \*\*did not keep up\*\*/);
    assert.equal(judged(withSink(1250, 900))?.[1], '**no**');
    assert.deepEqual(judged(withSink(undefined)), [
      "the shop kept up (p99 12 ms); the sink's rows were not counted (the notes say why)",
      '—',
    ]);
    assert.match(
      renderMarkdown({ ...results(), atLatencyGoalWithSink: withSink(1250) }),
      /^\| goal: 1,250\/s, the JDBC sink beside \| 1,250 \| 1,250 \| 1,250 \| yes \|/m,
      'listed with the other loads',
    );
  });

  it('the drain against the bare kafkajs batched pipe of the same run, when the run measured the clients', () => {
    const row =
      /\| 2 preparers draining, against the bare kafkajs batched pipe [^|]+ \| ≥ 0\.60× \| ([^|]+) \| ([^|]+) \|/;
    const max = (ready: number) => ({ ...run(0, ready, 1), label: 'max' });
    assert.deepEqual(
      renderMarkdown({ ...results(), max: max(3000) })
        .match(row)
        ?.slice(1),
      ['3,000/s ÷ 4,000/s = 0.75×', 'yes'],
    );
    assert.deepEqual(
      renderMarkdown({ ...results(), max: max(2000) })
        .match(row)
        ?.slice(1),
      ['2,000/s ÷ 4,000/s = 0.50×', '**no**'],
    );
    assert.deepEqual(
      renderMarkdown({ ...results(), max: max(3000), clients: [], skipped: ['client'] })
        .match(row)
        ?.slice(1),
      ['not measured: this run skipped `client`', '—'],
    );
  });

  it('a quick run says so and names what it skipped, where the skipped tables would be', () => {
    const max = { ...run(0, 6000, 1), label: 'max' };
    const floor = { records: 1000, recordBytes: 85, avgMs: 4.2, p50: 4, p99: 9, p999: 14, seconds: 15 };
    const stack = [
      'till',
      'preparer',
      'kafka broker',
      'schema registry',
      'redis',
      'kafka connect',
      'postgresql',
    ].map((service) => ({ service, processes: 1, cpuPer1000: 0.1, peakRssMb: 100 }));
    const quick: Results = {
      ...results(),
      mode: 'quick',
      skipped: ['broker', 'client', 'latency', 'scaling', 'stages', 'client-drains', 'profile'],
      clients: [],
      sustained: undefined,
      latency: [],
      max,
      atLightLoad: { ...run(250, 250, 1), label: 'load-250', floor },
      atLatencyGoal: { ...run(1250, 1250, 1), label: 'load-goal', floor, usage: stack },
      stages: [
        { ...max, stage: 'baseline' },
        { ...max, label: 'cook', stage: 'with the cook (cabinet starts empty)' },
      ],
    };
    const md = renderMarkdown(quick);
    assert.deepEqual(
      goals(quick)
        .filter((g) => g.met === undefined)
        .map((g) => [g.goal.slice(0, 30), g.measured]),
      [
        ['the JDBC sink beside the shop ', 'not measured: this run skipped `stages`'],
        ['2 preparers draining, against ', 'not measured: this run skipped `client`'],
        ['2 preparers draining, exactly ', 'not measured: this run skipped `stages`'],
        ['throughput rises with preparer', 'not measured: this run skipped `scaling`'],
        ['whole shop (tills included) su', 'not measured: this run skipped `latency`'],
        ['whole shop sustained with p99 ', 'not measured: this run skipped `latency`'],
      ],
      'the quick run judges the fixed loads, their CPU, the cook and the RSS, and leaves the rest to the full run',
    );
    assert.match(md, /^Written by `npm run bench -- --quick`/m);
    assert.match(md, /\*\*A quick run\*\*/);
    assert.match(
      md,
      /^Skipped in this run: Kafka's ProducerPerformance and ConsumerPerformance; .*; the profiled preparer\.$/m,
    );
    assert.match(
      md,
      /## Maximum sustained, tills included \(scenario 3\)\n\nSkipped in this run: the maximum sustained searches/,
    );
    assert.match(md, /## Scaling \(scenario 4\)\n\nSkipped in this run: 1, 2 and 3 preparers draining/);
    assert.match(md, /\| goal: 1,250\/s \|[^\n]+\n\nSkipped in this run: the maximum sustained searches/);
    const emptyTable = /^\|[^\n]*\|\n\|( ---:? \|)+\n(?!\|)/m;
    assert.doesNotMatch(md, emptyTable, 'no table without rows');
    assert.match(
      renderMarkdown({ ...quick, atLightLoad: undefined, atLatencyGoal: undefined, skipped: [] }),
      /## Latency at a fixed offered load \(scenario 3\)\n\nNot measured in this run \(its notes say why\)\./,
      'a run that stopped before them',
    );
    assert.doesNotMatch(renderMarkdown(results()), /Skipped in this run|quick/, 'a full run says neither');
  });

  it('the NODE_OPTIONS the services ran with are stated, when the run set them', () => {
    const settings = { ...results().settings, serviceNodeOptions: '--max-semi-space-size=2' };
    assert.match(
      renderMarkdown({ ...results(), settings }),
      /Every service process ran with `NODE_OPTIONS=--max-semi-space-size=2`\./,
    );
    assert.doesNotMatch(renderMarkdown(results()), /NODE_OPTIONS/);
  });

  it("each fixed load's orders stage by stage, under the latency table, with Kafka's floor as a row", () => {
    const floor = { records: 1000, recordBytes: 85, avgMs: 2.5, p50: 2, p99: 6, p999: 9, seconds: 15 };
    const stamps = (i: number, live: boolean): OrderStamps => ({
      preparer: `preparer-${(i % 2) + 1}`,
      orderTime: i * 4,
      created: i * 4 + 3,
      prepareStarted: i * 4 + 9,
      readyTime: i * 4 + 10,
      sent: i * 4 + 10,
      ...(live && { received: i * 4 + 12 }),
    });
    const orders = (live: boolean) => Array.from({ length: 200 }, (_, i) => stamps(i, live));
    const load = (live: boolean, missing = 0) => ({
      ...run(1250, 1250, 1),
      label: 'load-goal',
      floor,
      breakdown: breakdown(orders(live), orders(live), missing),
    });
    const md = renderMarkdown({ ...results(), atLatencyGoal: load(false, 3) });
    assert.match(md, /\| goal: 1,250\/s \|[^\n]+\n\n### Where a live order's time goes, stage by stage\n/);
    assert.match(md, /^- \*\*the Redis step\*\* \(prepare_started → ready_time\): the ledger's take/m);
    assert.match(
      md,
      /^At the goal's 1,250\/s: 200 orders, 3 more left out \(their `orders` records not found\)\.$/m,
    );
    assert.match(md, /^\| the till \| 3 \| 3 \| 3 \| 3 \| 3 \|$/m);
    assert.match(md, /^\| \*\*order_time → ready\*\* \| 10 \| 10 \| 10 \| 10 \| 10 \|$/m);
    assert.match(md, /^\| Kafka's EndToEndLatency beside it \| 2\.5 \| 2 \| 6 \| 9 \| — \|$/m);
    assert.match(md, /Not timed per order: the `orders-ready` record's trip to a reader/);
    assert.doesNotMatch(md, /order_time → read\b/, 'no reader stages without a live reader');

    const live = renderMarkdown({
      ...results(),
      settings: { ...results().settings, liveReader: true },
      atLatencyGoal: load(true),
    });
    assert.match(live, /^\| to a reader \| 2 \| 2 \| 2 \| 2 \| 2 \|$/m);
    assert.match(live, /^\| \*\*order_time → read\*\* \| 12 \|/m);
    assert.match(live, /The fixed loads read them during the window instead/);
    assert.doesNotMatch(live, /Not timed per order/);
    assert.doesNotMatch(renderMarkdown(results()), /stage by stage/, 'runs without it: no section');
  });
});
