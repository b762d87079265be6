import { execFileSync } from 'node:child_process';
import { up } from '@chippy/local-stack';

/**
 * The one place integration tests get their endpoints from, in this order:
 * 1. the design's environment variables, when KAFKA_SERVICE_URI is set (any stack you point them at);
 * 2. containers from testcontainers, when a Docker engine answers (the Docker path);
 * 3. the native stack from deploy/local, started if it is not running.
 * CHIPPY_TEST_STACK=env|docker|native forces one.
 */
export interface Endpoints {
  KAFKA_SERVICE_URI: string;
  SCHEMA_REGISTRY_URI: string;
  CONNECT_URL: string;
  DATABASE_URL: string;
  REDIS_URL: string;
}

export interface ProvidedEndpoints {
  source: 'env' | 'docker' | 'native';
  endpoints: Endpoints;
  /** Stops what this call started (containers); the native stack is left running for the next run. */
  release(): Promise<void>;
}

const defaults: Endpoints = {
  KAFKA_SERVICE_URI: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URI: 'http://127.0.0.1:8081/apis/ccompat/v7',
  CONNECT_URL: 'http://127.0.0.1:8083',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/chippy',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

export async function provideEndpoints(
  log: (line: string) => void = console.error,
): Promise<ProvidedEndpoints> {
  const forced = process.env.CHIPPY_TEST_STACK;
  if (forced === 'env' || (!forced && process.env.KAFKA_SERVICE_URI)) {
    const endpoints = Object.fromEntries(
      Object.entries(defaults).map(([k, v]) => [k, process.env[k] ?? v]),
    ) as unknown as Endpoints;
    return { source: 'env', endpoints, release: () => Promise.resolve() };
  }
  if (forced === 'docker' || (!forced && dockerAnswers())) {
    const { startContainers } = await import('./containers.js');
    const containers = await startContainers(log);
    return { source: 'docker', endpoints: containers.endpoints, release: () => containers.stop() };
  }
  const endpoints = await up(log);
  return { source: 'native', endpoints: { ...endpoints }, release: () => Promise.resolve() };
}

/** Endpoints as a test file sees them: the runner exports them into the environment. */
export function endpointsFromEnv(): Endpoints {
  const get = (k: keyof Endpoints) => process.env[k] ?? defaults[k];
  return {
    KAFKA_SERVICE_URI: get('KAFKA_SERVICE_URI'),
    SCHEMA_REGISTRY_URI: get('SCHEMA_REGISTRY_URI'),
    CONNECT_URL: get('CONNECT_URL'),
    DATABASE_URL: get('DATABASE_URL'),
    REDIS_URL: get('REDIS_URL'),
  };
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
