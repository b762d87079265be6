/** Reads a V8 CPU profile (`node --cpu-prof`) and names where the time went. */

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface SelfTime {
  /** `function (file:line)`, the file relative to the repository or from its package in node_modules. */
  name: string;
  /** Share of the busy (non-idle) samples, 0–1. */
  share: number;
  ms: number;
}

/** Where a script lives, short enough for a table: `kafkajs/src/…` rather than the full file URL. */
export function shortLocation(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  if (root && path.startsWith(`${root}/`)) return path.slice(root.length + 1);
  return path;
}

/**
 * The functions with the most self time, summed over every call site of the same function. Idle time
 * (the event loop waiting) is left out, so the shares are of the time the process was busy; GC and
 * "(program)" (V8 and native code outside JS) stay in, as they are real costs.
 */
export function topSelfTime(profile: CpuProfile, root: string, top = 5): SelfTime[] {
  const hits = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  const totalSamples = [...hits.values()].reduce((a, b) => a + b, 0);
  const msPerSample = totalSamples > 0 ? (profile.endTime - profile.startTime) / 1000 / totalSamples : 0;

  const byName = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(root)') continue;
    const count = hits.get(node.id) ?? 0;
    if (count === 0) continue;
    busy += count;
    const where = url ? ` (${shortLocation(url, root)}:${lineNumber + 1})` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    byName.set(name, (byName.get(name) ?? 0) + count);
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, count]) => ({ name, share: busy > 0 ? count / busy : 0, ms: count * msPerSample }));
}

/** The share of samples in which the process was not idle (0–1): low means it mostly waited on I/O. */
export function busyShare(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const samples = profile.samples ?? [];
  return samples.length > 0 ? samples.filter((id) => !idle.has(id)).length / samples.length : Number.NaN;
}
