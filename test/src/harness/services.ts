import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';
import { endpointsFromEnv } from './endpoints.js';

export const outputDir = path.join(repoRoot, 'test-output');

/**
 * Where a test writes a picture the documentation shows: test-output/ (a test run leaves the tree as it
 * was), or docs/images/ when `npm run docs:images` refreshes them (DOCS_IMAGES_DIR).
 */
export function docsImage(name: string): string {
  const dir = process.env.DOCS_IMAGES_DIR ? path.resolve(repoRoot, process.env.DOCS_IMAGES_DIR) : outputDir;
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

export type ServiceName = 'till' | 'preparer' | 'cook' | 'summary';

/** A service started by a test as a real process, its JSON log lines kept for assertions. */
export interface RunningService {
  name: string;
  process: ChildProcess;
  lines: string[];
  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when a log line matches. */
  waitForLog(
    match: (entry: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `services/<service>/dist/main.js` with the stack's endpoints in its environment (plus `env`),
 * logging to test-output/<label>.log as well as memory.
 */
export function startService(
  service: ServiceName,
  label: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): RunningService {
  mkdirSync(outputDir, { recursive: true });
  const child = spawn(process.execPath, [path.join(repoRoot, `services/${service}/dist/main.js`), ...args], {
    env: { ...process.env, ...endpointsFromEnv(), HTTP_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(path.join(outputDir, `${label}.log`));
  const lines: string[] = [];
  const waiters: {
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      file.write(`${line}\n`);
      const entry = parse(line);
      if (!entry) return;
      for (const w of [...waiters]) {
        if (w.match(entry)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      file.end();
      resolve({ code, signal });
    }),
  );
  return {
    name: label,
    process: child,
    lines,
    exited,
    logs: () => lines.map(parse).filter((e): e is Record<string, unknown> => e !== undefined),
    waitForLog(match, timeoutMs = 60_000) {
      const seen = lines.map(parse).find((e) => e && match(e));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${label}: no matching log line within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
        // Its warnings and errors say why it stopped; the log file is gone with a CI run's checkout.
        void exited.then(({ code, signal }) =>
          reject(
            new Error(
              `${label} exited (${signal ?? `code ${code}`}) before the expected log line; its errors:\n` +
                lines
                  .filter((line) => /"level":"(warn|error|fatal)"/.test(line))
                  .slice(-4)
                  .join('\n'),
            ),
          ),
        );
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function parse(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The port a service's HTTP server bound (HTTP_PORT=0 picks a free one), from its log. */
export async function httpPortOf(service: RunningService): Promise<number> {
  const entry = await service.waitForLog(
    (e) => typeof e.port === 'number' && String(e.msg).includes('listening'),
  );
  return entry.port as number;
}

/** `startService`, each service started killed by `hook` (node:test's `afterEach` or `after`). */
function servicesKilledBy(hook: typeof afterEach): typeof startService {
  const running: RunningService[] = [];
  hook(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
  });
  return (...args) => {
    const service = startService(...args);
    running.push(service);
    return service;
  };
}

/** `startService` for a test file whose services must not outlive their test: killed as each test ends. */
export const servicesPerTest = () => servicesKilledBy(afterEach);

/** `startService` for a test file whose tests share services (started in `before`): killed at its end. */
export const servicesPerFile = () => servicesKilledBy(after);

export const joinedPreparers = (s: RunningService) => s.waitForLog((e) => e.msg === 'joined the preparers');
export const joinedCooks = (s: RunningService) => s.waitForLog((e) => e.msg === 'joined the cooks');
