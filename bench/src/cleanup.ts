import type { Bench } from './context.js';

/**
 * Removes what the run made: its topics (every one starting with one of its prefixes, including the
 * sink's dead-letter topic), consumer groups, every Redis key under its prefixes (the cabinet and the
 * preparers' ledger entries, which would otherwise live for 7 days) and its registry subjects. Best effort:
 * one failure does not stop the rest, and each is reported.
 */
export async function cleanUp(bench: Bench, log: (line: string) => void): Promise<void> {
  const prefixes = [...bench.made.prefixes];
  const mine = (name: string) => prefixes.some((p) => name.startsWith(p));
  const step = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      log(`clean-up: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const admin = bench.kafka.admin();
  await step('connect admin', () => admin.connect());
  await step('delete consumer groups', async () => {
    const existing = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const groups = [...bench.made.groups].filter((g) => existing.has(g));
    if (groups.length > 0) await admin.deleteGroups(groups);
  });
  await step('delete topics', async () => {
    const topics = (await admin.listTopics()).filter(mine);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  });
  await step('disconnect admin', () => admin.disconnect());
  await step('delete Redis keys', async () => {
    if (prefixes.length === 0) return;
    // One walk of the keyspace for all the run's prefixes (they share the run's own), not one per prefix:
    // the preparers' ledger leaves a key per order.
    const shared = commonPrefix(prefixes);
    for await (const keys of bench.redis.scanStream({ match: `${shared}*`, count: 5000 })) {
      const ours = (keys as string[]).filter(mine);
      if (ours.length > 0) await bench.redis.del(...ours);
    }
  });
  await step('delete registry subjects', async () => {
    const base = bench.endpoints.SCHEMA_REGISTRY_URI.replace(/\/$/, '');
    const subjects = (await (await fetch(`${base}/subjects`)).json()) as string[];
    for (const subject of subjects.filter(mine)) {
      await fetch(`${base}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' });
    }
  });
}

/** The longest prefix every one of `names` starts with. */
export function commonPrefix(names: readonly string[]): string {
  let shared = names[0] ?? '';
  for (const name of names) {
    while (!name.startsWith(shared)) shared = shared.slice(0, -1);
  }
  return shared;
}
