// `npm run install-confluent -w bench`: builds @confluentinc/kafka-javascript into bench/.cache, outside
// the project's lockfile, so `npm ci` never compiles librdkafka. Its installer first tries a prebuilt
// binary from GitHub; where that cannot be reached it compiles librdkafka. The static build also downloads
// zlib, OpenSSL, zstd and curl sources, so it links dynamically instead (CKJS_LINKING=dynamic), against
// the system's OpenSSL and zlib (Debian: libssl-dev, zlib1g-dev), which needs no download.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from './procs.js';

const version = '1.10.1';
const dir = path.join(cacheDir, 'confluent');
mkdirSync(dir, { recursive: true });
const manifest = path.join(dir, 'package.json');
if (!existsSync(manifest)) writeFileSync(manifest, '{ "name": "bench-confluent-client", "private": true }\n');
const started = Date.now();
const result = spawnSync(
  'npm',
  ['install', '--no-audit', '--no-fund', '--no-package-lock', `@confluentinc/kafka-javascript@${version}`],
  { cwd: dir, stdio: 'inherit', env: { ...process.env, CKJS_LINKING: 'dynamic' } },
);
console.log(`install-confluent: exit ${result.status} after ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(result.status ?? 1);
