// Runs before build/start/test so that a fresh clone needs no separate install step: installs the locked
// dependencies when node_modules is missing or older than package-lock.json, on the pinned Node.
//
// chippy runs on one Node, the `node` devDependency of package.json (the npm registry's package of
// Node's official binaries). npm puts node_modules/.bin first on the PATH of every `npm run` script, so
// once it is installed every script, and every process they start, runs on it. The install itself must
// run on it too (npm checks `engines` against the Node that runs npm): when this script runs on another
// Node, npm ci runs under `npm exec --package=node@<pinned>`, which fetches the same Node into npm's cache.
// Why: docs/decisions/node-runtime.md.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

const pinned = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.node;
const local = 'node_modules/.bin/node';
const marker = 'node_modules/.package-lock.json';

const versionOf = (node) => {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
};

const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
if (stale || versionOf(local) !== `v${pinned}`) {
  const ci = 'npm ci --no-audit --no-fund';
  const onPinned = process.version === `v${pinned}`;
  console.error(
    `bootstrap: installing dependencies on Node ${pinned} (npm ci${onPinned ? '' : `, under npm exec --package=node@${pinned}`})…`,
  );
  execSync(onPinned ? ci : `npm exec --yes --package=node@${pinned} -- ${ci}`, { stdio: 'inherit' });
}

const installed = versionOf(local);
if (installed !== `v${pinned}`) {
  console.error(
    `bootstrap: ${local} is ${installed ?? 'missing'}, not Node ${pinned} (package.json): the node package's install script must run (is npm's ignore-scripts set? npm config get ignore-scripts), then npm run bootstrap`,
  );
  process.exit(1);
}
