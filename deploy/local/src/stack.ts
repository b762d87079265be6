import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Component } from './components/component.js';
import { connect, connectUrl } from './components/connect.js';
import { kafka, kafkaHost, kafkaPort } from './components/kafka.js';
import { databaseUrl, postgres } from './components/postgres.js';
import { redis, redisUrl } from './components/redis.js';
import { registry, registryUri } from './components/registry.js';
import { fetchArtifacts } from './fetch.js';
import { paths, stackDir } from './paths.js';
import { sleep, tail } from './processes.js';

/** Where clients find a stack: the environment variables of docs/configuration.md. */
export interface Endpoints {
  KAFKA_SERVICE_URI: string;
  SCHEMA_REGISTRY_URI: string;
  CONNECT_URL: string;
  DATABASE_URL: string;
  REDIS_URL: string;
}

/** The native stack's endpoints. */
export const endpoints: Readonly<Endpoints> = {
  KAFKA_SERVICE_URI: `${kafkaHost}:${kafkaPort}`,
  SCHEMA_REGISTRY_URI: registryUri,
  CONNECT_URL: connectUrl,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
};

/** Endpoints from the environment, each variable that is unset falling back to the native stack's. */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  const get = (k: keyof Endpoints) => env[k] ?? endpoints[k];
  return {
    KAFKA_SERVICE_URI: get('KAFKA_SERVICE_URI'),
    SCHEMA_REGISTRY_URI: get('SCHEMA_REGISTRY_URI'),
    CONNECT_URL: get('CONNECT_URL'),
    DATABASE_URL: get('DATABASE_URL'),
    REDIS_URL: get('REDIS_URL'),
  };
}

export class StackError extends Error {}

/** In start order; `down` goes the other way. */
export function components(log: (line: string) => void): Component[] {
  return [postgres(log), redis(log), kafka(), registry(), connect()];
}

/**
 * Brings every component up, starting only those that do not already answer, and waits for each.
 * Idempotent: with everything running it starts nothing. Throws StackError with the failing
 * component's log tail when one does not come up.
 */
export async function up(log: (line: string) => void = console.log): Promise<Endpoints> {
  const began = Date.now();
  const all = components(log);
  const answering = new Map(await Promise.all(all.map(async (c) => [c.name, await c.answers()] as const)));
  const missing = all.filter((c) => !answering.get(c.name));

  for (const c of all.filter((c) => answering.get(c.name))) {
    log(
      `✔ ${c.title.padEnd(42)} ${c.address} (already running${c.owned() ? '' : ', not started by this stack'})`,
    );
  }
  if (missing.length > 0) {
    if (await fetchArtifacts(log)) log(`artifacts ready in ${seconds(began)}`);
    // Each component starts as soon as everything it depends on answers (deps come earlier in the list).
    const ready = new Map<string, Promise<void>>();
    for (const c of all) {
      const deps = (c.dependsOn ?? []).map(
        (d) => ready.get(d) ?? Promise.reject(new StackError(`unknown dependency ${d}`)),
      );
      ready.set(
        c.name,
        answering.get(c.name) ? Promise.resolve() : Promise.all(deps).then(() => startAndWait(c, log)),
      );
    }
    await Promise.all(ready.values());
  }
  for (const c of all) await c.afterStart?.();
  writeEnvFile();
  log(missing.length > 0 ? `stack up in ${seconds(began)}` : 'stack already up: nothing started');
  return endpoints;
}

async function startAndWait(c: Component, log: (line: string) => void): Promise<void> {
  const began = Date.now();
  log(`… starting ${c.title}`);
  try {
    await c.start();
  } catch (err) {
    throw new StackError(`${c.title} could not start: ${(err as Error).message}`);
  }
  const deadline = began + c.startupTimeoutMs;
  for (;;) {
    if (await c.answers()) break;
    // A JVM that died (bad config, port taken) will never answer: fail now, not at the deadline.
    const died = c.logFile.endsWith('.log') && !c.owned();
    if (died || Date.now() > deadline) {
      const why = died ? 'exited' : `did not answer within ${c.startupTimeoutMs / 1000} s`;
      throw new StackError(`${c.title} ${why}. Last lines of ${c.logFile}:\n${tail(c.logFile)}`);
    }
    await sleep(500);
  }
  log(`✔ ${c.title.padEnd(42)} ${c.address} (started in ${seconds(began)})`);
}

export async function down(log: (line: string) => void = console.log): Promise<void> {
  for (const c of components(log).reverse()) {
    if (await c.stop()) log(`stopped ${c.title}`);
  }
  log('stack down (components not started by this stack were left running)');
}

export interface ComponentStatus {
  name: string;
  title: string;
  address: string;
  answers: boolean;
  owned: boolean;
}

export async function status(): Promise<ComponentStatus[]> {
  return Promise.all(
    components(() => undefined).map(async (c) => ({
      name: c.name,
      title: c.title,
      address: c.address,
      answers: await c.answers(),
      owned: c.owned(),
    })),
  );
}

/** `.stack/env`: the endpoints as shell assignments, for `set -a; . .stack/env`. */
function writeEnvFile(): void {
  mkdirSync(stackDir, { recursive: true });
  const lines = Object.entries(endpoints).map(([k, v]) => `${k}=${v}`);
  writeFileSync(path.join(stackDir, 'env'), `${lines.join('\n')}\n`);
}

export function logFiles(): { name: string; file: string }[] {
  return components(() => undefined).map((c) => ({ name: c.name, file: c.logFile }));
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export { paths };
