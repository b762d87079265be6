import { stages, type Stage } from './breakdown.js';
import type { ShopResult } from './shop.js';
import { formatNumber, markdownTable, type Cell } from './table.js';

/** The end-to-end rows, bold among the stages. */
const totals: readonly Stage[] = ['ready', 'total'];

/**
 * The latency section's stage breakdown of each fixed load (breakdown.ts), as paragraphs for the page; none
 * when no load has one (runs before it, or without the loads).
 */
export function breakdownSection(loads: readonly [string, ShopResult | undefined][]): string[] {
  const measured = loads.filter((l): l is [string, ShopResult] => l[1]?.breakdown !== undefined);
  if (measured.length === 0) return [];
  const present = new Set(measured.flatMap(([, run]) => run.breakdown!.stages.map((s) => s.stage)));
  const read = present.has('toReader');
  const out = [
    "### Where a live order's time goes, stage by stage",
    "Each fixed load's orders made ready in the window, stage by stage, from stamps the messages carry: the `Order`'s " +
      "order_time, the `orders` record's timestamp, the `OrderReady`'s prepare_started and ready_time, and the " +
      "`orders-ready` record's timestamp" +
      (read
        ? ", and when the bench's own consumer, reading `orders-ready` during the window (`BENCH_LIVE_READER=1`), had that record; " +
          "that reader's CPU is in this run's fixed-load figures too. The `orders` records are read once the run has stopped. "
        : ', both topics read once the run has stopped. ') +
      'Every stamp comes from the one clock of this machine (the tills, the preparers and the bench run here, and kafkajs ' +
      'stamps a record in the client, when it builds the produce request), in whole milliseconds. Each stage includes its ' +
      "processes' waits for a core. " +
      'Percentiles are of each stage alone and do not add up; means do, and "slowest 1 %" is each stage\'s mean over the 1 % of ' +
      "orders slowest from order_time to ready: where the tail's time goes. All figures ms.",
    (Object.keys(stages) as Stage[])
      .filter((stage) => present.has(stage))
      .map((stage) => {
        const { name, span, covers } = stages[stage];
        // A part of the stage above: a nested item.
        const part = name.startsWith('↳ ');
        return `${part ? '  - ' : '- '}**${part ? name.slice(2) : name}** (${span}): ${covers}.`;
      })
      .join('\n'),
    ...(read
      ? []
      : [
          "Not timed per order: the `orders-ready` record's trip to a reader (its append and a consumer's fetch). A reader " +
            "fetching during the window takes the shop's two cores, which is why the bench reads after the run; Kafka's " +
            'EndToEndLatency row is that trip, one record at a time, on the same broker under the same load. ' +
            '`BENCH_LIVE_READER=1` times it per order, at that cost.',
        ]),
  ];
  for (const [label, run] of measured) {
    const b = run.breakdown!;
    const row = (name: string, f: { mean: number; p50: number; p99: number; p999: number }, tail?: number) =>
      [name, f.mean, f.p50, f.p99, f.p999, tail] as Cell[];
    out.push(
      `At ${label}: ${formatNumber(b.orders)} orders` +
        (b.missing > 0
          ? `, ${formatNumber(b.missing)} more left out (their \`orders\` records not found)`
          : '') +
        '.' +
        (b.timestampType
          ? ` The \`orders\` topic's records carry ${b.timestampType} here, not CreateTime: the till's stage ends at the broker's append, not at the send.`
          : ''),
      markdownTable(
        ['stage', 'mean', 'p50', 'p99', 'p99.9', 'slowest 1 %'],
        [
          ...b.stages.map((s) => {
            const name = stages[s.stage].name;
            return row(totals.includes(s.stage) ? `**${name}**` : name, s, s.tailMean);
          }),
          ...(run.floor
            ? [row("Kafka's EndToEndLatency beside it", { ...run.floor, mean: run.floor.avgMs })]
            : []),
        ],
      ),
    );
  }
  return out;
}
