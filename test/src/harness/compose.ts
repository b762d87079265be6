import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, repoRoot } from '@chippy/dev-utils';
import type { ContainerEngine } from './container-engine.js';
import { outputDir } from './services.js';
import { pinnedImages, provideImages } from './stand-ins.js';

const run = promisify(execFile);

/** One container of a Compose project, as the engine reports it. */
export interface ComposeContainer {
  id: string;
  name: string;
  service: string;
  status: string;
  health: string | undefined;
  exitCode: number;
  pid: number;
  startedAt: string;
  restartCount: number;
}

/** The Compose file users run, from the repository root, under a project name of the test's own. */
export class ComposeProject {
  readonly logDir = path.join(outputDir, 'compose');
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly engine: ContainerEngine,
    readonly name: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.env = { ...engine.env, ...env, COMPOSE_PROJECT_NAME: name };
    mkdirSync(this.logDir, { recursive: true });
  }

  /** `docker compose ARGS…` to completion; its output. */
  async run(args: string[], timeoutMs = 600_000): Promise<string> {
    const [command, ...prefix] = this.engine.compose;
    const { stdout } = await run(command!, [...prefix, ...args], {
      cwd: repoRoot,
      env: this.env,
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    });
    return stdout;
  }

  /** Every service's output so far (`docker compose logs`), into the log folder as `<label>.log`. */
  async logsTo(label: string): Promise<void> {
    writeFileSync(
      path.join(this.logDir, `${label}.log`),
      await this.run(['logs', '--no-color', '--timestamps']),
    );
  }

  /** Every container of the project, running or not. */
  async containers(): Promise<ComposeContainer[]> {
    const ids = (
      await run(
        'docker',
        ['ps', '-a', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.name}`],
        {
          env: this.env,
        },
      )
    ).stdout
      .split('\n')
      .filter(Boolean);
    if (ids.length === 0) return [];
    const { stdout } = await run('docker', ['inspect', ...ids], { env: this.env, maxBuffer: 64 << 20 });
    const inspected = JSON.parse(stdout) as {
      Id: string;
      Name: string;
      RestartCount?: number;
      State: {
        Status: string;
        ExitCode: number;
        Pid: number;
        StartedAt: string;
        Health?: { Status: string };
      };
      Config: { Labels: Record<string, string> | null };
    }[];
    return inspected.map((c) => ({
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      service: c.Config.Labels?.['com.docker.compose.service'] ?? '',
      status: c.State.Status,
      health: c.State.Health?.Status || undefined,
      exitCode: c.State.ExitCode,
      pid: c.State.Pid,
      startedAt: c.State.StartedAt,
      restartCount: c.RestartCount ?? 0,
    }));
  }

  /** The project's volumes. */
  async volumes(): Promise<string[]> {
    const { stdout } = await run(
      'docker',
      ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${this.name}`],
      { env: this.env },
    );
    return stdout.split('\n').filter(Boolean);
  }

  /** The output of `docker compose logs SERVICE` (the last lines), for a failure message. */
  async logsOf(service: string, lines = 40): Promise<string> {
    return this.run(['logs', '--no-color', '--tail', String(lines), service]).catch((e: Error) => e.message);
  }

  /**
   * Waits until the project looks like `expected`; fails early, with the logs, when a one-shot job fails
   * or a long-running service stays exited (no restart policy will bring it back). Resolves with the
   * seconds it took.
   */
  async healthy(expected: ExpectedServices, timeoutMs: number): Promise<number> {
    const started = Date.now();
    const exitedSince = new Map<string, number>();
    let last = '';
    while (Date.now() - started < timeoutMs) {
      const containers = await this.containers();
      const failed = failedOneShot(containers, expected.completed);
      if (failed)
        assert.fail(`${failed.service} exited ${failed.exitCode}:\n${await this.logsOf(failed.service)}`);
      for (const c of containers.filter((x) => !expected.completed.includes(x.service))) {
        if (c.status !== 'exited') exitedSince.delete(c.id);
        else if (!exitedSince.has(c.id)) exitedSince.set(c.id, Date.now());
        else if (Date.now() - exitedSince.get(c.id)! > 30_000)
          assert.fail(`${c.name} exited ${c.exitCode} and stays down:\n${await this.logsOf(c.service)}`);
      }
      last = shortfall(containers, expected);
      if (last === '') return (Date.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    return assert.fail(`not healthy within ${timeoutMs / 1000} s: ${last}`);
  }

  /** psql in the postgres service: the rows of a query, tab-separated fields. */
  async sql(query: string): Promise<string[][]> {
    const out = await this.run([
      'exec',
      '-T',
      'postgres',
      'psql',
      '-U',
      'chippy',
      '-d',
      'chippy',
      '-AtF',
      '\t',
      '-c',
      query,
    ]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
  }
}

/** What a healthy shop looks like: each long-running service's replicas, healthy; each one-shot, exited 0. */
export interface ExpectedServices {
  healthy: Record<string, number>;
  completed: string[];
}

/** Where the shop stands against `expected`: '' when it is there, else what is still missing. */
export function shortfall(containers: ComposeContainer[], expected: ExpectedServices): string {
  const missing: string[] = [];
  for (const [service, replicas] of Object.entries(expected.healthy)) {
    const healthy = containers.filter(
      (c) => c.service === service && c.status === 'running' && c.health === 'healthy',
    );
    if (healthy.length < replicas) missing.push(`${service} ${healthy.length}/${replicas} healthy`);
  }
  for (const service of expected.completed) {
    const done = containers.find((c) => c.service === service && c.status === 'exited' && c.exitCode === 0);
    if (!done) missing.push(`${service} not completed`);
  }
  return missing.join(', ');
}

/** A one-shot that failed: it will never complete, so waiting on is pointless. */
export function failedOneShot(
  containers: ComposeContainer[],
  oneShots: string[],
): ComposeContainer | undefined {
  return containers.find((c) => oneShots.includes(c.service) && c.status === 'exited' && c.exitCode !== 0);
}

/** The Compose files' host ports (.env) and their defaults. */
export const composeHostPorts = {
  SUMMARY_HOST_PORT: 8080,
  PROMETHEUS_HOST_PORT: 9090,
  GRAFANA_HOST_PORT: 3000,
  KAFKA_HOST_PORT: 29092,
  KAFKA_2_HOST_PORT: 29093,
  KAFKA_3_HOST_PORT: 29094,
  REGISTRY_HOST_PORT: 8081,
  CONNECT_HOST_PORT: 8083,
};

/** .env's host ports where they are free (CI), others where this machine already uses them (the native stack). */
export async function hostPorts(): Promise<typeof composeHostPorts> {
  const chosen = { ...composeHostPorts };
  for (const [name, port] of Object.entries(composeHostPorts)) {
    const free = await freePort(port).catch(() => undefined);
    chosen[name as keyof typeof composeHostPorts] = free === port ? port : await freePort();
  }
  return chosen;
}

/** Images a Compose file can run without: those of the "dashboards" profile (pinnedImages keys). */
export const dashboardImages = { grafana: 'grafana', 'kafka-exporter': 'kafkaExporter' } as const;

/**
 * Makes sure the engine has every image the Compose files (and the Dockerfiles they build) name, pulled or
 * stood in. Fails when one outside the "dashboards" profile cannot be had; says whether that profile can run.
 */
export async function provideComposeImages(
  engine: ContainerEngine,
  composeFiles: string[],
  log: (line: string) => void,
): Promise<{ withDashboards: boolean; lacking: string[] }> {
  const pinned = pinnedImages();
  const composeText = composeFiles.map((f) => readFileSync(path.join(repoRoot, f), 'utf8')).join('\n');
  const dockerfiles = ['deploy/compose/Dockerfile', 'deploy/compose/connect/Dockerfile']
    .map((f) => readFileSync(path.join(repoRoot, f), 'utf8'))
    .join('\n');
  const images = Object.values(pinned).filter(
    (image) => composeText.includes(image) || dockerfiles.includes(`FROM ${image}`),
  );
  const provided = await provideImages(engine, images, log);
  const lacking = provided.filter((p) => p.source === 'missing').map((p) => p.image);
  const optional = Object.values(dashboardImages).map((key) => pinned[key]!);
  assert.deepEqual(
    lacking.filter((image) => !optional.includes(image)),
    [],
    'every image outside the dashboards profile can be had',
  );
  return { withDashboards: lacking.length === 0, lacking };
}
