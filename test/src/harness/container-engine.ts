import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@chippy/dev-utils';

const run = promisify(execFile);

/**
 * A Docker API to run containers and Compose against: Docker's own where one answers, otherwise podman's,
 * served by this harness for as long as the engine is open (test/stand-ins/README.md).
 */
export interface ContainerEngine {
  kind: 'docker' | 'podman';
  /** The environment `docker`, `docker compose` and `docker-compose` need to reach the engine. */
  env: NodeJS.ProcessEnv;
  /** The Compose command: `docker compose` (v2) where installed, else Debian's `docker-compose` (1.29). */
  compose: string[];
  /** Runs the engine's own CLI (docker, or podman with the harness's settings). */
  cli(args: string[], options?: { timeoutMs?: number }): Promise<string>;
  /** `docker build` or `podman build --format docker` (podman drops HEALTHCHECK in its own format). */
  buildArgs: string[];
  close(): Promise<void>;
}

export type EngineLookup = { engine: ContainerEngine } | { missing: string };

/** openContainerEngine for a test file: where there is none, it also says what the run would need. */
export async function openEngineForTest(log: (line: string) => void): Promise<EngineLookup> {
  const lookup = await openContainerEngine(log);
  if ('missing' in lookup)
    log(
      `NOT RUN: ${lookup.missing}. Install Docker, or podman and docker-compose (.ci/run shows how), to run it.`,
    );
  return lookup;
}

/** podman's settings for this kind of machine, passed through CONTAINERS_CONF (nothing on it changes). */
export const podmanConf = path.join(repoRoot, 'test/stand-ins/containers.conf');

function answers(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync(command, args, { stdio: 'ignore', env, timeout: 15_000 }).status === 0;
}

function composeCommand(env: NodeJS.ProcessEnv): string[] | undefined {
  if (answers('docker', ['compose', 'version'], env)) return ['docker', 'compose'];
  if (answers('docker-compose', ['version'], env)) return ['docker-compose'];
  return undefined;
}

/** Finds a container engine and a Compose to drive it, or says what is missing. */
export async function openContainerEngine(log: (line: string) => void): Promise<EngineLookup> {
  if (answers('docker', ['info'])) {
    const compose = composeCommand(process.env);
    if (!compose)
      return {
        missing: 'a Docker engine answers, but neither `docker compose` nor `docker-compose` is installed',
      };
    log(`container engine: Docker (${compose.join(' ')})`);
    const cli = async (args: string[], options: { timeoutMs?: number } = {}) =>
      (await run('docker', args, { timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 << 20 })).stdout;
    return {
      engine: {
        kind: 'docker',
        env: { ...process.env },
        compose,
        cli,
        buildArgs: ['build'],
        close: () => Promise.resolve(),
      },
    };
  }
  if (!answers('podman', ['--version']))
    return { missing: 'no container engine: neither `docker info` answers nor is podman installed' };
  const podmanEnv = { ...process.env, CONTAINERS_CONF: podmanConf };
  const socketDir = mkdtempSync(path.join(os.tmpdir(), 'chippy-podman-'));
  const socket = path.join(socketDir, 'podman.sock');
  // --time=0: the service runs until this harness stops it, not until it has been idle for 5 s.
  const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: podmanEnv,
    stdio: 'ignore',
  });
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}` };
  const deadline = Date.now() + 30_000;
  while (!(existsSync(socket) && answers('docker', ['version'], env))) {
    if (Date.now() > deadline || service.exitCode !== null) {
      service.kill();
      return { missing: `podman's Docker API did not answer on ${socket} within 30 s` };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const compose = composeCommand(env);
  if (!compose) {
    service.kill();
    return { missing: 'podman runs, but neither `docker compose` nor `docker-compose` is installed' };
  }
  log(
    `container engine: podman's Docker API on ${socket} (${compose.join(' ')}), health checks run by the harness`,
  );
  const cli = async (args: string[], options: { timeoutMs?: number } = {}) =>
    (
      await run('podman', args, {
        env: podmanEnv,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 << 20,
      })
    ).stdout;
  const health = runHealthChecks(cli);
  return {
    engine: {
      kind: 'podman',
      env,
      compose,
      cli,
      buildArgs: ['build', '--format', 'docker'],
      async close() {
        health.stop();
        await stopProcess(service);
        rmSync(socketDir, { recursive: true, force: true });
      },
    },
  };
}

/** Milliseconds of a Go duration as Go prints it ("10s", "1m30s", "500ms"); 0 when it is not one. */
export function goDurationMs(text: string): number {
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 1e-3,
    µs: 1e-3,
    ns: 1e-6,
  };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return 0;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit!] ?? 0), 0);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * podman 4 runs health checks from systemd timers; with no systemd, nothing runs them and a container
 * stays `starting` for ever. This plays the timers' part: every running container's check, at its own
 * interval, through `podman healthcheck run`, which records the result as the timer's run would.
 */
const maxConcurrentChecks = 3;

function runHealthChecks(cli: ContainerEngine['cli']): { stop(): void } {
  const intervalMs = new Map<string, number>();
  const lastRun = new Map<string, number>();
  const inFlight = new Set<string>();
  let stopped = false;
  const tick = async () => {
    const ids = (await cli(['ps', '-q', '--no-trunc', '--filter', 'status=running']).catch(() => ''))
      .split('\n')
      .filter(Boolean);
    for (const id of ids) {
      if (intervalMs.has(id)) continue;
      const ns = await cli([
        'inspect',
        '--format',
        '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval}}{{end}}',
        id,
      ]).catch(() => '');
      // No health check: 0 marks the container as seen. Docker's default interval is 30 s.
      intervalMs.set(id, ns.trim() === '' ? 0 : goDurationMs(ns.trim()) || 30_000);
    }
    const dueAt = (id: string) => (lastRun.get(id) ?? 0) + (intervalMs.get(id) ?? 0);
    const due = ids
      .filter((id) => (intervalMs.get(id) ?? 0) > 0 && !inFlight.has(id) && dueAt(id) <= Date.now())
      .sort((a, b) => dueAt(a) - dueAt(b));
    // A few at a time, the longest overdue first: a dozen checks started at once (each a podman process
    // and an exec, some a JVM) on two cores make each other time out, and a healthy container is marked
    // unhealthy.
    for (const id of due.slice(0, Math.max(0, maxConcurrentChecks - inFlight.size))) {
      inFlight.add(id);
      lastRun.set(id, Date.now());
      void cli(['healthcheck', 'run', id], { timeoutMs: 120_000 })
        .catch(() => undefined)
        .finally(() => inFlight.delete(id));
    }
  };
  const loop = async () => {
    while (!stopped) {
      await tick().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
    },
  };
}
