import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Every artifact the native stack runs, pinned in deploy/versions.json, the one list of versions that
// Compose, Kubernetes and the testcontainers path share (deploy/checks compares them). Changing one
// there changes what `stack:up` fetches. This file is deploy/local/{src,dist}/versions.*.
const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../versions.json');
const pinned = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

function version(name: string): string {
  const value = pinned[name];
  if (typeof value !== 'string' || value === '') throw new Error(`${file}: no version for ${name}`);
  return value;
}

export const versions = {
  kafka: version('kafka'),
  log4j: version('log4j'),
  debeziumJdbc: version('debeziumJdbc'),
  apicurio: version('apicurio'),
} as const;
