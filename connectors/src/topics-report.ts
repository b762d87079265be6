import {
  compareTopics,
  topicDeclarations,
  describeTopics,
  type TopicAdmin,
  type TopicSettingReport,
} from '@chippy/messaging';

const DAY_MS = 24 * 60 * 60 * 1000;
/** `604800000` → `604800000 (7 d)`, so the table reads at a glance. */
const shown = (setting: string, value: string) =>
  setting === 'retention.ms' && /^\d+$/.test(value) ? `${value} (${Number(value) / DAY_MS} d)` : value;

/** The report as a table: one row per topic and setting, drift marked; then one warning line per drift. */
export function formatTopicsReport(rows: TopicSettingReport[]): { lines: string[]; drift: number } {
  const table = [
    ['topic', 'setting', 'declared', 'actual', ''],
    ...rows.map((r) => [
      r.topic,
      r.setting,
      shown(r.setting, r.declared),
      shown(r.setting, r.actual),
      r.drift ? 'DRIFT' : '',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const drifted = rows.filter((r) => r.drift);
  const missing = new Set<string>();
  for (const r of drifted) {
    if (r.actual === 'missing') {
      if (!missing.has(r.topic))
        lines.push(`warning: ${r.topic} does not exist yet (services create it at start-up)`);
      missing.add(r.topic);
      continue;
    }
    const why = r.setting === 'partitions' ? `; declared so because ${topicDeclarations[r.key].why}` : '';
    lines.push(
      `warning: ${r.topic} ${r.setting} is ${shown(r.setting, r.actual)}, declared ${shown(r.setting, r.declared)}${why}`,
    );
  }
  return { lines, drift: drifted.length };
}

/** Everything `connectors topics` prints. */
export async function topicsReport(
  admin: TopicAdmin,
  options: { topicPrefix: string; replicationFactor: number; ordersPartitions: number },
) {
  const actual = await describeTopics(admin, options.topicPrefix);
  const rows = compareTopics(
    options.topicPrefix,
    options.replicationFactor,
    (topic) => actual.get(topic),
    options.ordersPartitions,
  );
  return formatTopicsReport(rows);
}
