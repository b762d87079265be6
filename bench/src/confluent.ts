import { existsSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { loadConfluent } from '@chippy/kafka';
import type { Bench } from './context.js';
import { cacheDir } from './procs.js';

/** Where `npm run install-confluent -w bench` puts the alternative client (outside the lockfile). */
export const confluentModules = path.join(cacheDir, 'confluent/node_modules');

export interface ConfluentAvailability {
  /** Set when the client loads: then scenarios 2–3 run with it too. */
  kafka?: true;
  /** Environment for services run with it (KAFKA_CLIENT and where to find the module). */
  env: NodeJS.ProcessEnv;
  reason: string;
}

/**
 * Whether @confluentinc/kafka-javascript can be used in this run. It is a native module that compiles
 * librdkafka when no prebuilt binary can be downloaded, so it is installed on request into bench/.cache
 * rather than by `npm ci`; NODE_PATH makes it loadable by libs/kafka, here and in the services.
 */
export function confluentClient(_bench: Bench, log: (line: string) => void): Promise<ConfluentAvailability> {
  const env = { KAFKA_CLIENT: 'confluent', NODE_PATH: confluentModules };
  if (process.env.BENCH_CONFLUENT === 'false')
    return Promise.resolve({ env, reason: 'BENCH_CONFLUENT=false' });
  if (!existsSync(path.join(confluentModules, '@confluentinc/kafka-javascript'))) {
    return Promise.resolve({
      env,
      reason:
        'not installed: `npm run install-confluent -w bench` builds it from source (librdkafka; about 10 min on 2 cores), then run the bench again',
    });
  }
  // NODE_PATH is read once at start-up; re-reading it lets this process load the module too.
  process.env.NODE_PATH = [confluentModules, process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
  (Module as unknown as { _initPaths(): void })._initPaths();
  try {
    const { librdkafkaVersion } = loadConfluent();
    const own = createRequire(path.join(confluentModules, 'x.js'))(
      '@confluentinc/kafka-javascript/package.json',
    ) as {
      version: string;
    };
    log(`@confluentinc/kafka-javascript ${own.version} (librdkafka ${librdkafkaVersion}) found`);
    return Promise.resolve({ kafka: true, env, reason: `${own.version}, librdkafka ${librdkafkaVersion}` });
  } catch (error) {
    return Promise.resolve({ env, reason: error instanceof Error ? error.message : String(error) });
  }
}
