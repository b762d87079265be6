import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { serviceNodeOptions } from './node-options.js';
import { repoRoot } from '@chippy/dev-utils';

export type ServiceName = 'till' | 'preparer' | 'cook' | 'summary';

/**
 * Runs `services/<service>/dist/main.js` as its own process group, so a terminal's Ctrl-C reaches only the
 * runner, which then stops each service once, with SIGTERM. Every output line goes to `onLine`. The
 * services' heap flags apply unless `env` brings a NODE_OPTIONS of its own.
 */
export function runService(
  service: ServiceName,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): ChildProcess {
  const child = spawn(process.execPath, [path.join(repoRoot, `services/${service}/dist/main.js`)], {
    env: { NODE_OPTIONS: serviceNodeOptions, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', onLine);
  return child;
}
