import { execFileSync } from 'node:child_process';
import { endpointsFromEnv, up, type Endpoints } from '@chippy/local-stack';

export { endpointsFromEnv, type Endpoints };

/**
 * The one place integration tests get their endpoints from, in this order:
 * 1. the design's environment variables, when KAFKA_SERVICE_URI is set (any stack you point them at);
 * 2. containers from testcontainers, when a Docker engine answers (the Docker path);
 * 3. the native stack from deploy/local, started if it is not running.
 * CHIPPY_TEST_STACK=env|docker|native forces one.
 */
export interface ProvidedEndpoints {
  source: 'env' | 'docker' | 'native';
  endpoints: Endpoints;
  /** Stops what this call started (containers); the native stack is left running for the next run. */
  release(): Promise<void>;
}

export async function provideEndpoints(
  log: (line: string) => void = console.error,
): Promise<ProvidedEndpoints> {
  const forced = process.env.CHIPPY_TEST_STACK;
  if (forced === 'env' || (!forced && process.env.KAFKA_SERVICE_URI)) {
    return { source: 'env', endpoints: endpointsFromEnv(), release: () => Promise.resolve() };
  }
  if (forced === 'docker' || (!forced && dockerAnswers())) {
    const { startContainers } = await import('./containers.js');
    const containers = await startContainers(log);
    return { source: 'docker', endpoints: containers.endpoints, release: () => containers.stop() };
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
