// The Docker path run on its own: the shop and the sink (or the files given) against containers started
// by testcontainers (containers.ts) on Docker's API or podman's, then every container removed.
//   node test/dist/harness/docker-path.js [test files]   (from the repository root, after npm run build)
// Exit 0 when the tests pass or there is no container engine (it says so), 1 when a test or the start fails.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openContainerEngine } from './container-engine.js';
import { startContainers } from './containers.js';
import type { Endpoints } from './endpoints.js';

/** The representative part of the integration tests the Docker path runs: the shop, and the sink. */
export const dockerPathTests = ['test/dist/shop.test.js', 'test/dist/sink.test.js'];

export type DockerPath =
  { missing: string } | { endpoints: Endpoints; startSeconds: number; release(): Promise<void> };

/** Opens a container engine and starts the containers; `release()` removes them and closes the engine. */
export async function startDockerPath(log: (line: string) => void): Promise<DockerPath> {
  const began = Date.now();
  const found = await openContainerEngine(log);
  if ('missing' in found) return { missing: found.missing };
  const { engine } = found;
  try {
    const containers = await startContainers(engine, log);
    const startSeconds = (Date.now() - began) / 1000;
    log(`containers up in ${startSeconds.toFixed(0)} s: ${JSON.stringify(containers.endpoints)}`);
    return {
      endpoints: containers.endpoints,
      startSeconds,
      async release() {
        try {
          await containers.stop();
        } finally {
          await engine.close();
        }
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/** Runs test files with node --test against the Docker path; undefined (and why) when there is no engine. */
export async function runOnDockerPath(
  files: string[],
  log: (line: string) => void,
  nodeTestArgs: string[] = ['--test-force-exit', '--test-timeout=600000', '--test-reporter=spec'],
): Promise<{ skipped: string } | { status: number; startSeconds: number }> {
  const stack = await startDockerPath(log);
  if ('missing' in stack) return { skipped: stack.missing };
  try {
    const env = { ...process.env, ...stack.endpoints, CHIPPY_TEST_STACK: 'env' };
    // One file at a time, as the integration phase runs them: they share one broker.
    const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...nodeTestArgs, ...files], {
      stdio: 'inherit',
      env,
    });
    return { status: run.status ?? 1, startSeconds: stack.startSeconds };
  } finally {
    await stack.release();
    log('containers removed');
  }
}

/**
 * The phase `npm test` runs after the Compose test: `files` on the Docker path, saying how long it took, or
 * that it is skipped and why. 0 when the tests pass or there is no engine, 1 when they or the start fail.
 */
export async function dockerPathPhase(files = dockerPathTests, extraArgs: string[] = []): Promise<number> {
  const log = (line: string) => console.error(`docker-path: ${line}`);
  const began = Date.now();
  console.error(`\n── docker-path tests (testcontainers): ${files.length} files ──`);
  const args = ['--test-force-exit', '--test-timeout=600000', '--test-reporter=spec', ...extraArgs];
  const outcome = await runOnDockerPath(files, log, args).catch((error: unknown) => {
    log(`the containers did not start: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 1, startSeconds: 0 };
  });
  if ('skipped' in outcome) {
    log(`skipped: ${outcome.skipped}`);
    return 0;
  }
  const seconds = ((Date.now() - began) / 1000).toFixed(0);
  log(
    `${outcome.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s (containers up in ${outcome.startSeconds.toFixed(0)} s)`,
  );
  return outcome.status === 0 ? 0 : 1;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  process.exit(await dockerPathPhase(files.length > 0 ? files : dockerPathTests));
}
