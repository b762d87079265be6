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
    for (const prefix of prefixes) {
      for await (const keys of bench.redis.scanStream({ match: `${prefix}*`, count: 5000 })) {
        if ((keys as string[]).length > 0) await bench.redis.del(...(keys as string[]));
      }
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
