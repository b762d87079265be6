import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@chippy/dev-utils';
import { sleep } from '@chippy/runtime';

export type ServiceName = 'till' | 'preparer' | 'cook' | 'summary';

/** Where the last run's service logs and profiles go (ignored by git). */
export const cacheDir = path.join(repoRoot, 'bench/.cache');
export const logDir = path.join(cacheDir, 'logs');

/** CPU time and memory of one process, from /proc (Linux), so no agent runs inside the services. */
export interface Usage {
  cpuSeconds: number;
  /** Peak resident set size so far (VmHWM), MB. */
  peakRssMb: number;
}

// USER_HZ is 100 on every Linux the kernel's ABI promises it for /proc/<pid>/stat.
const ticksPerSecond = 100;

export function usageOf(pid: number): Usage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuSeconds, peakRssMb: hwm ? Number(hwm[1]) / 1024 : Number.NaN };
  } catch {
    return undefined; // the process has gone
  }
}

export interface Proc {
  label: string;
  service: ServiceName;
  port: number;
  child: ChildProcess;
  /** Usage now (the last known usage once the process has exited). */
  usage(): Usage;
  metrics(): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

let nextPort = 9600;

/**
 * Starts `services/<service>/dist/main.js` as its own process on a fresh HTTP port, log to
 * bench/.cache/logs/<label>.log. `nodeArgs` go before the script (e.g. --cpu-prof).
 */
export function startProc(
  service: ServiceName,
  label: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Proc {
  mkdirSync(logDir, { recursive: true });
  const port = nextPort++;
  const child = spawn(
    process.execPath,
    [...nodeArgs, path.join(repoRoot, `services/${service}/dist/main.js`)],
    {
      env: { ...env, HTTP_PORT: String(port), LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = createWriteStream(path.join(logDir, `${label}.log`));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let last: Usage = { cpuSeconds: 0, peakRssMb: 0 };
  const usage = () => {
    const now = child.pid !== undefined && child.exitCode === null ? usageOf(child.pid) : undefined;
    if (now) last = now;
    return last;
  };
  return {
    label,
    service,
    port,
    child,
    usage,
    metrics: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    async stop(graceMs = 15_000) {
      usage();
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Waits until /readyz answers 200 (connected, and for group members joined), or the process exits. */
export async function untilReady(proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.label} exited with ${proc.child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${proc.port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${proc.label} not ready within ${timeoutMs / 1000} s (log: bench/.cache/logs)`);
}

/** The sum of a counter's samples (all label sets) in a Prometheus text exposition. */
export function counterTotal(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** The parts of the stack the bench finds by their processes, in the order the page lists them. */
export const stackComponents = [
  'kafka broker',
  'schema registry',
  'redis',
  'kafka connect',
  'postgresql',
] as const;
export type StackComponent = (typeof stackComponents)[number];

const marked = { kafka: 'kafka broker', registry: 'schema registry', connect: 'kafka connect' } as const;

/**
 * Which part of the stack a process is, from its command line (NULs as spaces): the native stack marks its
 * JVMs with -Dchippy.stack.component=<name>; Redis is found by the port it listens on; PostgreSQL is every
 * process of its cluster (the postmaster by its binary, the rest by the title it gives them, "postgres: …"),
 * since a row's write runs in the backend process of the connection it came on.
 */
export function stackComponentOf(cmdline: string, redisPort: string): StackComponent | undefined {
  const component = /-Dchippy\.stack\.component=(kafka|registry|connect)\b/.exec(cmdline)?.[1];
  if (component) return marked[component as keyof typeof marked];
  if (cmdline.startsWith('redis-server') && cmdline.includes(`:${redisPort}`)) return 'redis';
  if (/^(\S*\/)?postgres(:|\s|$)/.test(cmdline)) return 'postgresql';
  return undefined;
}

/**
 * The stack's processes whose CPU an order also costs (stackComponentOf), with their CPU seconds now. Read
 * from /proc at each end of a window: PostgreSQL starts a process per connection, so the set can change
 * in between. Only processes in the bench's own network namespace, the ones its 127.0.0.1 reaches: a
 * container's PostgreSQL or Redis on the same port (another job's Compose test) is not the shop's. Absent
 * ones (another stack, Docker's) are left out.
 */
export function stackProcesses(redisPort: string): StackProcess[] {
  const found: StackProcess[] = [];
  const ownNet = netNamespaceOf('self');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const name = stackComponentOf(cmdline, redisPort);
    if (!name) continue;
    // Unreadable (another user's process, the bench not root): counted, as before namespaces were asked.
    const net = netNamespaceOf(entry);
    if (ownNet !== undefined && net !== undefined && net !== ownNet) continue;
    const usage = usageOf(Number(entry));
    if (usage) found.push({ name, pid: Number(entry), cpuSeconds: usage.cpuSeconds });
  }
  return found;
}

/** "net:[4026531833]" for /proc/<pid>/ns/net, or undefined where it cannot be read. */
function netNamespaceOf(pid: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

export interface StackProcess {
  name: StackComponent;
  pid: number;
  cpuSeconds: number;
}

/**
 * The CPU seconds each part of the stack spent between two readings of stackProcesses, in stackComponents'
 * order: for each process at the end, its CPU then less its CPU at the start (0 for one started in
 * between). A process that ended in between is left out with its CPU (a short-lived PostgreSQL backend).
 */
export function stackCpuBetween(
  before: readonly StackProcess[],
  after: readonly StackProcess[],
): { name: StackComponent; processes: number; cpuSeconds: number }[] {
  const at = new Map(before.map((p) => [p.pid, p.cpuSeconds]));
  return stackComponents.flatMap((name) => {
    const now = after.filter((p) => p.name === name);
    if (now.length === 0) return [];
    const cpuSeconds = now.reduce((sum, p) => sum + p.cpuSeconds - (at.get(p.pid) ?? 0), 0);
    return [{ name, processes: now.length, cpuSeconds }];
  });
}

/** CPU seconds the whole machine has spent busy (all cores, /proc/stat), to see what else was running. */
export function machineCpuSeconds(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / ticksPerSecond
  );
}
