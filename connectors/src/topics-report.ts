import { describeTopics, type TopicAdmin } from '@chippy/kafka';
import { compareTopics, topicDeclarations, topicNames, type TopicSettingReport } from '@chippy/shop';

const HOUR_MS = 60 * 60 * 1000;

/** `604800000` → `604800000 (7 d)`, `3600000` → `3600000 (1 h)`, `-1` → `-1 (forever)`: readable at a glance. */
function shown(setting: string, value: string): string {
  if (setting !== 'retention.ms' || !/^-?\d+$/.test(value)) return value;
  const ms = Number(value);
  if (ms < 0) return `${value} (forever)`;
  if (ms > 0 && ms % (24 * HOUR_MS) === 0) return `${value} (${ms / (24 * HOUR_MS)} d)`;
  if (ms > 0 && ms % HOUR_MS === 0) return `${value} (${ms / HOUR_MS} h)`;
  return value;
}

/**
 * The report as a table: one row per topic and setting, drift marked; then a warning line per setting that
 * differs on an existing topic and per missing topic, and a last line that sums them up.
 */
export function formatTopicsReport(rows: TopicSettingReport[]): {
  lines: string[];
  drift: number;
  missing: number;
} {
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
  const drift = drifted.length - rows.filter((r) => r.drift && missing.has(r.topic)).length;
  lines.push(
    drift === 0 && missing.size === 0
      ? 'no drift'
      : `${drift} setting(s) differ from the declaration, ${missing.size} topic(s) not created yet`,
  );
  return { lines, drift, missing: missing.size };
}

/** Everything `connectors topics` prints. */
export async function topicsReport(
  admin: TopicAdmin,
  options: { topicPrefix: string; replicationFactor: number; ordersPartitions: number },
) {
  const actual = await describeTopics(admin, Object.values(topicNames(options.topicPrefix)));
  const rows = compareTopics(
    options.topicPrefix,
    options.replicationFactor,
    (topic) => actual.get(topic),
    options.ordersPartitions,
  );
  return formatTopicsReport(rows);
}
