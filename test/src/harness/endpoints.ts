import { execFileSync } from 'node:child_process';
import { endpointsFromEnv as fromEnvOrNative, up, type Endpoints } from '@chippy/local-stack';

export type { Endpoints };

/**
 * The one place integration tests get their endpoints from, in this order:
 * 1. the environment variables of docs/configuration.md, when KAFKA_SERVICE_URI is set (any stack you point them at);
 * 2. containers from testcontainers, when a Docker engine answers (the Docker path; podman's Docker API
 *    serves it too when forced, test/src/harness/docker-path.ts);
 * 3. the native stack from deploy/local, started if it is not running.
 * CHIPPY_TEST_STACK=env|docker|native forces one.
 */
export interface ProvidedEndpoints {
  source: 'env' | 'docker' | 'native';
  endpoints: Endpoints;
  /** Stops what this call started (containers); the native stack is left running for the next run. */
  release(): Promise<void>;
}

/**
 * The endpoints a test file reads: the environment's, else the native stack's. A file run on its own
 * with CHIPPY_TEST_STACK=docker has no containers to read them from; it says so rather than testing the
 * native stack in their place.
 */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  if (env.CHIPPY_TEST_STACK === 'docker' && !env.KAFKA_SERVICE_URI)
    throw new Error(
      'CHIPPY_TEST_STACK=docker: run the test files through the Docker path, which starts the containers and gives their endpoints: node test/dist/harness/docker-path.js <files>',
    );
  return fromEnvOrNative(env);
}

export async function provideEndpoints(
  log: (line: string) => void = console.error,
): Promise<ProvidedEndpoints> {
  const forced = process.env.CHIPPY_TEST_STACK;
  if (forced === 'env' || (!forced && process.env.KAFKA_SERVICE_URI)) {
    return { source: 'env', endpoints: endpointsFromEnv(), release: () => Promise.resolve() };
  }
  // Unforced, only a Docker engine chooses this path; forced, podman's Docker API serves it too.
  if (forced === 'docker' || (!forced && dockerAnswers())) {
    const { startDockerPath } = await import('./docker-path.js');
    const started = await startDockerPath(log);
    if ('missing' in started) throw new Error(`CHIPPY_TEST_STACK=docker: ${started.missing}`);
    return { source: 'docker', endpoints: started.endpoints, release: () => started.release() };
  }
  const endpoints = await up(log);
  return { source: 'native', endpoints: { ...endpoints }, release: () => Promise.resolve() };
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
