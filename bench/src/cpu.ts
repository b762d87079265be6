import type { ShopResult } from './shop.js';
import type { Cell } from './table.js';

/** The shop's processes as a run records them (shop.ts, procs.ts), in the page's order, with its names. */
export const shopServices = [
  { service: 'till', name: 'tills' },
  { service: 'preparer', name: 'preparers' },
  { service: 'cook', name: 'the cook' },
  { service: 'kafka broker', name: 'the Kafka broker' },
  { service: 'schema registry', name: 'the schema registry' },
  { service: 'redis', name: 'Redis' },
  { service: 'kafka connect', name: 'Kafka Connect' },
  { service: 'postgresql', name: 'PostgreSQL' },
] as const;

/** The services the bench starts itself: absent from a run's usage when the run had none of them. */
const started: readonly string[] = ['till', 'preparer', 'cook'];

/**
 * A service's CPU-ms per order in a run's window: its CPU s per 1,000 orders (tills: placed; the rest: made
 * ready), the same number. NaN when it did not run, or was not found.
 */
export function cpuMsPerOrder(run: ShopResult | undefined, service: string): number {
  return run?.usage.find((u) => u.service === service)?.cpuPer1000 ?? Number.NaN;
}

export interface ShopCpu {
  /** The shop's processes found in the run, summed: CPU-ms per order. */
  shop: number;
  /** The parts of the stack not found in the run (another stack than the native one): the sum lacks them. */
  notFound: string[];
  /** The bench's own process (its polling, a live reader). */
  bench: number;
  /** The whole machine, everything on it. */
  machine: number;
  /** The whole machine less the shop and the bench: the tools beside the run, and whatever else ran. */
  rest: number;
}

/** A run's CPU per order split into the shop's, the bench's and the rest of the machine's. */
export function shopCpu(run: ShopResult): ShopCpu {
  const found = shopServices.filter(({ service }) => run.usage.some((u) => u.service === service));
  const shop = found.reduce((sum, { service }) => sum + cpuMsPerOrder(run, service), 0);
  const bench = cpuMsPerOrder(run, 'bench');
  const machine = cpuMsPerOrder(run, 'whole machine');
  return {
    shop: found.length > 0 ? shop : Number.NaN,
    notFound: shopServices
      .filter(({ service }) => !started.includes(service) && !found.some((f) => f.service === service))
      .map(({ name }) => name),
    bench,
    // A run from before the bench's own CPU was recorded: the rest includes the bench.
    rest: machine - shop - (Number.isFinite(bench) ? bench : 0),
    machine,
  };
}

/**
 * The table of CPU-ms per order by service, one column per run: the shop's processes (those found in none
 * of the runs left out; the services the bench starts always listed, "—" where a run had none), their sum,
 * the bench, the rest of the machine and the whole machine.
 */
export function cpuByService(runs: readonly ShopResult[]): Cell[][] {
  const listed = shopServices.filter(
    ({ service }) =>
      started.includes(service) || runs.some((run) => run.usage.some((u) => u.service === service)),
  );
  const split = runs.map(shopCpu);
  return [
    ...listed.map(({ service, name }) => [name, ...runs.map((run) => cpuMsPerOrder(run, service))]),
    ['**the shop** (the rows above)', ...split.map((s) => s.shop)],
    ['the bench', ...split.map((s) => s.bench)],
    ['the rest of the machine', ...split.map((s) => s.rest)],
    ['the whole machine', ...split.map((s) => s.machine)],
  ];
}

/**
 * What a row the JDBC sink wrote cost Kafka Connect and PostgreSQL, CPU-ms; NaN without the sink's rows.
 * Their CPU is recorded per order made ready: over rows it is scaled by ready/s ÷ rows/s, exact for a live
 * run, whose rates share the window (a drain's ready/s may end where its backlog did).
 */
export function sinkCpuPerRow(run: ShopResult): { connect: number; postgresql: number } {
  const rows = run.sink?.rowsPerSecond ?? Number.NaN;
  const scale = rows > 0 ? run.readyPerSecond / rows : Number.NaN;
  return {
    connect: cpuMsPerOrder(run, 'kafka connect') * scale,
    postgresql: cpuMsPerOrder(run, 'postgresql') * scale,
  };
}

/** The sink wrote 95 % or more of the orders placed, as keptUp asks of the preparers; undefined without it. */
export function sinkKeptUp(run: ShopResult): boolean | undefined {
  return run.sink ? run.sink.rowsPerSecond >= 0.95 * run.placedPerSecond : undefined;
}
