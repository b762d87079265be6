import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@chippy/dev-utils';

/**
 * The one Node chippy runs on natively: the `node` devDependency of the root package.json. It installs as
 * node_modules/.bin/node, which npm puts first on the PATH of every `npm run` script, so `npm start`,
 * `npm test` and `npm run bench` run on it whatever Node the machine has (docs/decisions/node-runtime.md).
 */
export const pinnedNode: string = (
  JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    devDependencies: { node: string };
  }
).devDependencies.node;

/** One line saying what to do when `version` is not the pinned Node; undefined when it is. */
export function otherNodeLine(command: string, version = process.version): string | undefined {
  if (version === `v${pinnedNode}`) return undefined;
  return `${command}: this is Node ${version}, chippy runs on Node ${pinnedNode} (package.json): run it through npm (npm start, npm test, npm run …), which uses node_modules/.bin/node`;
}

/** Stops this process (exit code 2, one line) unless it runs on the pinned Node. */
export function requirePinnedNode(command: string): void {
  const line = otherNodeLine(command);
  if (line === undefined) return;
  console.error(line);
  process.exit(2);
}
