import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { producerOptions } from '@chippy/kafka';
import { sleep } from '@chippy/runtime';
import { cabinetKeys, topicNames } from '@chippy/shop';
import type { Bench } from './context.js';
import {
  cacheDir,
  counterTotal,
  machineCpuSeconds,
  stackCpuBetween,
  stackProcesses,
  startProc,
  untilReady,
  type Proc,
} from './procs.js';
import { busyShare, topSelfTime, type CpuProfile, type SelfTime } from './profile.js';
import type { KafkaFloor } from './scenarios/floor.js';
import { breakdown, type Breakdown } from './breakdown.js';
import { readCreateTimes } from './created.js';
import { watchReadies, type Ready, type ReadyWatcher } from './readies.js';
import { drainWindowEnd, rateIn, summarize, type LatencySummary } from './stats.js';
import { repoRoot } from '@chippy/dev-utils';

/** A till rate no till reaches: it then sends as fast as each acknowledgement comes back. */
export const flatOut = 100_000;

export interface ShopOptions {
  label: string;
  tills: number;
  /** Orders/s offered by all tills together, on fixed schedules; 0 = flat out. */
  offered: number;
  preparers: number;
  /** A real cook and a cabinet that starts empty; otherwise a bottomless cabinet and no cook. */
  cook?: boolean;
  /** Extra settings for the preparers (e.g. DELIVERY, KAFKA_CLIENT). */
  preparerEnv?: NodeJS.ProcessEnv;
  /** Extra settings for every service (e.g. KAFKA_CLIENT). */
  env?: NodeJS.ProcessEnv;
  warmupSeconds: number;
  seconds: number;
  /** Profiles the first preparer (node --cpu-prof) and returns its top self-time functions. */
  profile?: boolean;
  /**
   * Orders put on `orders` before the preparers start (no tills then): the preparers' drain rate, with
   * no till competing for the cores. Must outlast the warm-up and 3 s of the window; a drain that empties
   * it sooner is measured up to its last order.
   */
  backlog?: number;
  /** Something else running on the shop's topics (the JDBC sink): started before the tills, stopped after. */
  alongside?: (prefix: string) => Promise<Alongside>;
  /**
   * Kafka's own round trip under this run's load: started with the warm-up (so its JVM starts there, not
   * in the window) and awaited before the tills stop, so every round trip it times had the load beside it.
   * Undefined when it could not be measured: it must not reject, as it is awaited only after the window.
   */
  floor?: () => Promise<KafkaFloor | undefined>;
  /**
   * Where each order's time goes (breakdown.ts), from the `orders` and `orders-ready` records read after the
   * run; for live loads (a drain's orders wait by design). `liveReader`: `orders-ready` is read during the
   * run instead, to time its records' trip to a reader too, at the cost of that reader's CPU in the window.
   */
  breakdown?: { liveReader: boolean };
}

/** What runs beside the shop on its topics (the JDBC sink), as a run starts it. */
export interface Alongside {
  stop(): Promise<void>;
  /** The rows it has written so far: read at each end of the window. */
  rows?(): Promise<number>;
}

export interface ServiceUsage {
  /** A service, or a part of the stack, the bench itself, or the whole machine. */
  service: string;
  processes: number;
  /** CPU seconds of all its processes per 1,000 orders it handled in the window. */
  cpuPer1000: number;
  /** The largest peak RSS of its processes, MB. */
  peakRssMb: number;
}

export interface ShopResult {
  label: string;
  tills: number;
  preparers: number;
  /** Orders/s asked of the tills (0 = flat out). */
  offered: number;
  placedPerSecond: number;
  readyPerSecond: number;
  /** order_time → ready_time of the orders made ready in the window, ms. */
  latencyMs: LatencySummary;
  /**
   * Orders placed (acknowledged to a till) and not yet made ready, at the window's start and end: the queue
   * the warm-up left, and whether the window drained it or added to it. Live runs only.
   */
  queued?: { start: number; end: number };
  /** A drain that emptied its backlog inside the window: the seconds of the window it took (the rate's). */
  drainedAfterSeconds?: number;
  usage: ServiceUsage[];
  /**
   * The JDBC sink beside the run (runs with one): the rows it wrote in the window, per second, and for a
   * live run the orders placed and not yet written at the window's start → end.
   */
  sink?: { rowsPerSecond: number; behind?: { start: number; end: number } };
  /** Kafka's EndToEndLatency, run beside this one (live runs that asked for it). */
  floor?: KafkaFloor;
  profile?: SelfTime[];
  /** The window's orders stage by stage (live runs that asked for it). */
  breakdown?: Breakdown;
  /** Share of the profiled preparer's samples that were not idle (the event loop had work). */
  profileBusy?: number;
}

/** The cabinet for runs without a cook: more than any run can take, so preparing alone is measured. */
async function bottomless(bench: Bench, prefix: string): Promise<void> {
  const portions = { cod: 1e9, chips: 1e9, plaice: 1e9 };
  await bench.redis.hset(cabinetKeys(prefix).levels, portions);
}

/**
 * A cook whose targets keep the cabinet stocked between restocks, waking often (cook's own settings). An
 * order takes 7/3 portions on average (bench/src/context.ts, sampleOrder: 2/3 cod, 5/3 chips), so a drain
 * of 40,000 orders/s, above any here, takes 93,000 portions/s: a 10,000-portion fryer (the setting's
 * ceiling) every 0.1 s fries 100,000, and the targets (which the fryer must hold at once) cover one turn
 * at 35,000 orders/s: 2,300 cod and 5,800 chips.
 */
const busyCook = {
  TARGET_COD: '3000',
  TARGET_CHIPS: '6000',
  LOW_WATER_COD: '1500',
  LOW_WATER_CHIPS: '3000',
  RESTOCK_INTERVAL: '0.1',
  FRYER_CAPACITY: '10000',
};

/**
 * tills → orders → preparers → orders-ready as separate processes. After a warm-up, for `seconds`: the
 * orders the tills placed (their own counter), the OrderReady messages whose ready_time falls in the
 * window, their latencies, and each process's CPU time and peak memory.
 */
export async function runShop(bench: Bench, options: ShopOptions): Promise<ShopResult> {
  const prefix = bench.prefix(options.label);
  const topics = topicNames(prefix);
  const env = { ...bench.serviceEnv, ...options.env, TOPIC_PREFIX: prefix };
  const profileDir = path.join(cacheDir, 'profiles', options.label);
  const procs: Proc[] = [];
  const stopAll = (which: Proc[]) => Promise.all(which.map((p) => p.stop()));
  let alongside: Alongside | undefined;
  let watcher: ReadyWatcher | undefined;
  const readiesGroup = `${prefix}bench-readies`;
  try {
    if (options.cook) procs.push(startProc('cook', `${options.label}-cook`, { ...env, ...busyCook }));
    else await bottomless(bench, prefix);
    if (options.profile) {
      rmSync(profileDir, { recursive: true, force: true });
      mkdirSync(profileDir, { recursive: true });
    }
    for (let i = 1; i <= options.preparers; i++) {
      const profiling = options.profile && i === 1 ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
      const id = { PREPARER_ID: `preparer-${i}`, ...options.preparerEnv };
      procs.push(startProc('preparer', `${options.label}-preparer-${i}`, { ...env, ...id }, profiling));
    }
    await Promise.all(procs.map((p) => untilReady(p)));
    if (options.backlog) {
      // The backlog arrives only once the group has settled: a member that joins while another is
      // draining makes kafkajs rebalance mid-batch, and the orders after the last commit (kafkajs commits
      // once per fetched batch, up to 1 MB a partition) are delivered again and skipped as duplicates.
      // Each member rejoins at its next heartbeat (every 3 s), so a little over that is waited out.
      if (options.preparers > 1) await sleep(3500);
      await fillBacklog(bench, topics.orders, options.backlog);
    }
    alongside = await options.alongside?.(prefix);
    const stamps = options.breakdown !== undefined;
    // Joined before the first order is placed, so each record's arrival here is a live reader's.
    if (options.breakdown?.liveReader)
      watcher = await watchReadies(bench, topics.ordersReady, readiesGroup, { stamps, live: true });

    const perTill = options.offered > 0 ? options.offered / options.tills : flatOut;
    const tills = Array.from({ length: options.backlog ? 0 : options.tills }, (_, i) =>
      startProc('till', `${options.label}-till-${i + 1}`, {
        ...env,
        TILL_ID: `till-${i + 1}`,
        TILL_RATE: String(perTill),
        TILL_PLAICE: 'false',
      }),
    );
    procs.push(...tills);
    await Promise.all(tills.map((p) => untilReady(p)));

    const floor = options.floor?.();
    await sleep(options.warmupSeconds * 1000);
    const placed = async () =>
      (
        await Promise.all(
          tills.map(async (t) => counterTotal(await t.metrics(), 'chippy_orders_placed_total')),
        )
      ).reduce((a, b) => a + b, 0);
    const redisPort = new URL(bench.endpoints.REDIS_URL).port || '6379';
    const benchCpu = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
    // The window's figures are differences between two of these.
    const snapshot = async () => {
      const time = Date.now();
      // A count that fails leaves the run without the sink's figures, not without its own.
      const [placedNow, rows] = await Promise.all([placed(), alongside?.rows?.().catch(() => undefined)]);
      return {
        time,
        placed: placedNow,
        rows,
        usage: procs.map((p) => p.usage()),
        others: stackProcesses(redisPort),
        bench: benchCpu(),
        machine: machineCpuSeconds(),
      };
    };
    const before = await snapshot();
    await sleep(options.seconds * 1000);
    const after = await snapshot();

    // The window's figures are taken: a floor still running keeps the load it is measured under.
    const floorMeasured = await floor;
    await stopAll(tills);
    // Let the preparers finish what is in hand, so the run's orders are in orders-ready for the clean-up.
    await sleep(500);
    await stopAll(procs.filter((p) => p.service !== 'till'));
    await alongside?.stop();
    alongside = undefined;
    watcher ??= await watchReadies(bench, topics.ordersReady, readiesGroup, { stamps });
    const readToEnd = await watcher.readToEnd();
    const { readies } = watcher;
    await watcher.stop();
    watcher = undefined;
    if (!readToEnd)
      throw new Error(`${options.label}: ${topics.ordersReady} was not read to its end in 60 s`);

    const readyTimes = readies.map((r) => r.readyTime);
    const queuedAt = (at: { time: number; placed: number }) =>
      Math.max(0, at.placed - readyTimes.filter((t) => t < at.time).length);
    // A drain that empties the backlog inside the window is measured up to the last order made ready.
    const end = options.backlog
      ? drainWindowEnd(readyTimes, options.backlog, { from: before.time, to: after.time }, 3)
      : after.time;
    if (end === undefined) {
      throw new Error(
        `${options.label}: the backlog of ${options.backlog} ran out before the window; raise it`,
      );
    }
    const inWindow = readies.filter((r) => r.readyTime >= before.time && r.readyTime < end);
    const stages = stamps
      ? await windowBreakdown(bench, topics.orders, `${prefix}bench-orders`, inWindow, readies)
      : undefined;
    const seconds = (after.time - before.time) / 1000;
    const placedCount = after.placed - before.placed;
    const usage = (['till', 'preparer', 'cook'] as const)
      .map((service): ServiceUsage | undefined => {
        const idx = procs.map((p, i) => (p.service === service ? i : -1)).filter((i) => i >= 0);
        if (idx.length === 0) return undefined;
        const cpu = idx.reduce((sum, i) => sum + after.usage[i]!.cpuSeconds - before.usage[i]!.cpuSeconds, 0);
        const handled = service === 'till' ? placedCount : inWindow.length;
        return {
          service,
          processes: idx.length,
          cpuPer1000: handled > 0 ? (cpu / handled) * 1000 : Number.NaN,
          peakRssMb: Math.max(...idx.map((i) => procs[i]!.usage().peakRssMb)),
        };
      })
      .filter((u): u is ServiceUsage => u !== undefined);
    // What else an order cost, per 1,000 orders made ready: the stack's processes, the bench's own (its
    // polling, a live reader) and the whole machine (the rest of its load shows as the difference).
    const perReady = (cpu: number) => (inWindow.length > 0 ? (cpu / inWindow.length) * 1000 : Number.NaN);
    for (const o of stackCpuBetween(before.others, after.others))
      usage.push({
        service: o.name,
        processes: o.processes,
        cpuPer1000: perReady(o.cpuSeconds),
        peakRssMb: Number.NaN,
      });
    usage.push({
      service: 'bench',
      processes: 1,
      cpuPer1000: perReady(after.bench - before.bench),
      peakRssMb: Number.NaN,
    });
    usage.push({
      service: 'whole machine',
      processes: 0,
      cpuPer1000: perReady(after.machine - before.machine),
      peakRssMb: Number.NaN,
    });

    return {
      label: options.label,
      tills: options.backlog ? 0 : options.tills,
      preparers: options.preparers,
      offered: options.offered,
      placedPerSecond: placedCount / seconds,
      readyPerSecond: rateIn(readyTimes, before.time, end),
      ...(end < after.time && { drainedAfterSeconds: (end - before.time) / 1000 }),
      // A backlog's orders were all placed before the run: their waiting time says nothing.
      latencyMs: summarize(options.backlog ? [] : inWindow.map((r) => r.readyTime - r.orderTime)),
      ...(!options.backlog && { queued: { start: queuedAt(before), end: queuedAt(after) } }),
      ...(before.rows !== undefined &&
        after.rows !== undefined && {
          sink: {
            rowsPerSecond: (after.rows - before.rows) / seconds,
            ...(!options.backlog && {
              behind: {
                start: Math.max(0, before.placed - before.rows),
                end: Math.max(0, after.placed - after.rows),
              },
            }),
          },
        }),
      usage,
      ...(floorMeasured && { floor: floorMeasured }),
      ...(stages && { breakdown: stages }),
      ...(options.profile && readProfile(profileDir)),
    };
  } finally {
    await stopAll(procs);
    await alongside?.stop().catch(() => undefined);
    await watcher?.stop().catch(() => undefined);
  }
}

/**
 * The window's orders stage by stage (breakdown.ts): their `orders` records' timestamps are read now, the
 * shop stopped; `readies` are all the run's hand-overs (with stamps), to find each order's batch before.
 */
async function windowBreakdown(
  bench: Bench,
  ordersTopic: string,
  group: string,
  inWindow: readonly Ready[],
  readies: readonly Ready[],
): Promise<Breakdown> {
  const ids = new Set(inWindow.flatMap((r) => (r.stamps ? [r.stamps.orderId] : [])));
  const { byOrder, timestampType } = await readCreateTimes(bench, ordersTopic, group, ids);
  const orders = inWindow.flatMap(({ orderTime, readyTime, stamps }) => {
    const created = stamps && byOrder.get(stamps.orderId);
    return stamps && created !== undefined ? [{ ...stamps, orderTime, readyTime, created }] : [];
  });
  const handOvers = readies.flatMap(({ readyTime, stamps }) =>
    stamps ? [{ preparer: stamps.preparer, readyTime, sent: stamps.sent }] : [],
  );
  return {
    ...breakdown(orders, handOvers, inWindow.length - orders.length),
    ...(timestampType !== undefined && { timestampType }),
  };
}

/**
 * `count` orders on a fresh `orders` topic (its 6 partitions, libs/kafka/src/topics.ts), encoded as a till encodes them,
 * sent in batches: the backlog for a drain run.
 */
async function fillBacklog(bench: Bench, topic: string, count: number): Promise<void> {
  const admin = bench.kafka.admin();
  await admin.connect();
  // The preparers have usually created it already (asking again would log an error in kafkajs).
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({
      topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  }
  await admin.disconnect();
  const orders = await bench.sampleOrders(topic, count);
  const producer = bench.kafka.producer(producerOptions());
  await producer.connect();
  for (let i = 0; i < orders.length; i += 5000) {
    await producer.send({ topic, messages: orders.slice(i, i + 5000) });
  }
  await producer.disconnect();
}

function readProfile(dir: string): Pick<ShopResult, 'profile' | 'profileBusy'> {
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) return {};
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  return { profile: topSelfTime(profile, repoRoot, 5), profileBusy: busyShare(profile) };
}
