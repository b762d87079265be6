// The test command behind `npm test`: unit tests (no services, seconds), then the Compose test (the Compose
// file run on a container engine, when there is one), then the shop and the sink on the testcontainers path
// (the same engine), then integration tests against the real stack, whose endpoints come from
// test/dist/harness (env vars, Docker or the native stack). `cluster`, the fault tests on three brokers
// (compose.cluster.yaml, the same engine), is a suite of its own: `npm run test:cluster`.
// Usage: node scripts/run-tests.mjs <all|unit|compose|docker-path|cluster|integration> [extra node --test args]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

// The tests run on the pinned Node (package.json's `node` devDependency; docs/decisions/node-runtime.md),
// which `npm test` puts first on the PATH.
const pinned = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.node;
if (process.version !== `v${pinned}`) {
  console.error(
    `run-tests: this is Node ${process.version}, chippy runs on Node ${pinned} (package.json): run the tests with npm test (or npm run test:unit, test:integration)`,
  );
  process.exit(2);
}

const [suite = 'all', ...extra] = process.argv.slice(2);
if (!['all', 'unit', 'compose', 'docker-path', 'cluster', 'integration'].includes(suite)) {
  console.error(`run-tests: unknown suite "${suite}" (all|unit|compose|docker-path|cluster|integration)`);
  process.exit(2);
}

const composeTests = 'test/dist/compose';
const clusterTests = 'test/dist/cluster';

function testFiles(dirs, skip = []) {
  const found = [];
  const walk = (dir) => {
    if (!existsSync(dir) || skip.includes(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.js')) found.push(full);
    }
  };
  dirs.forEach(walk);
  return found.sort();
}

const packageDist = (group) =>
  existsSync(group) ? readdirSync(group).map((name) => path.join(group, name, 'dist')) : [];

function runNodeTest(title, files, env, concurrency, options = []) {
  if (files.length === 0) {
    console.error(`run-tests: no ${title} test files found (did the build run?)`);
    return 1;
  }
  console.error(`\n── ${title} tests: ${files.length} files ──`);
  const args = [
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...options,
    ...extra,
    ...files,
  ];
  return spawnSync(process.execPath, args, { stdio: 'inherit', env }).status ?? 1;
}

const onPath = (command) =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/**
 * The Debian packages a suite's tests need, by the check that finds each: the unit tests' deploy checks
 * run Prometheus's promtool; the integration tests check chippy with clients it did not write (Debian's
 * kcat, Apache Avro's Python library, Debian's Chromium for the summary's pages, driven by playwright-core,
 * which downloads no browser of its own) and run the terminal floor in tmux.
 */
const unitTools = [['prometheus', () => onPath('promtool')]];
const kcat = ['kcat', () => onPath('kcat')];
// The cluster tests read orders-ready with kcat: test/src/harness/topics.ts, readCommitted, says why.
const clusterTools = [kcat];
const integrationTools = [
  kcat,
  [
    'python3-avro',
    () => spawnSync('/usr/bin/python3', ['-c', 'import avro.io'], { stdio: 'ignore' }).status === 0,
  ],
  ['chromium', () => existsSync('/usr/bin/chromium')],
  ['tmux', () => onPath('tmux')],
];

/**
 * Installs, as root with apt, the packages of `tools` that are missing, so a fresh machine needs no manual
 * step. Here, once, before the tests start: test files run in parallel, and two apt-gets at once fail on
 * dpkg's lock.
 */
function ensureTestTools(tools) {
  const missing = tools.filter(([, present]) => !present()).map(([name]) => name);
  if (missing.length === 0) return;
  console.error(`run-tests: installing ${missing.join(', ')} (Debian packages)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', '--no-install-recommends', ...missing],
  ]) {
    if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) {
      console.error(`run-tests: apt-get ${args[0]} failed; install ${missing.join(', ')} by hand`);
      process.exit(1);
    }
  }
}

let failed = false;
if (suite === 'all' || suite === 'unit') {
  ensureTestTools(unitTools);
  const files = testFiles([
    ...packageDist('libs'),
    ...packageDist('services'),
    ...packageDist('tools'),
    'deploy/local/dist',
    'deploy/checks/dist',
    'connectors/dist',
    'bench/dist',
  ]);
  failed ||= runNodeTest('unit', files, process.env, 2) !== 0;
}
if (suite === 'all' || suite === 'compose') {
  ensureTestTools(integrationTools);
  // One file: the whole Compose file on a container engine, before the native stack takes its ports.
  // It says itself, and passes, when the machine has no container engine.
  const options = ['--test-force-exit', '--test-timeout=2700000'];
  failed ||= runNodeTest('compose', testFiles([composeTests]), process.env, 1, options) !== 0;
}
if (suite === 'all' || suite === 'docker-path') {
  ensureTestTools(integrationTools);
  // The testcontainers path (test/src/harness/docker-path.ts): the shop and the sink against containers
  // started on the Compose test's engine and images, then removed; it says so when there is no engine.
  const { dockerPathPhase, dockerPathTests } = await import('../test/dist/harness/docker-path.js');
  failed ||= (await dockerPathPhase(dockerPathTests, extra)) !== 0;
}
if (suite === 'cluster') {
  ensureTestTools(clusterTools);
  // Three brokers in containers, each fault under load (test/src/cluster/cluster.test.ts): about half
  // an hour on two cores, more than `npm test` can add within CI's budget. It says itself, and passes,
  // when the machine has no container engine.
  const options = ['--test-force-exit', '--test-timeout=4800000'];
  failed ||= runNodeTest('cluster', testFiles([clusterTests]), process.env, 1, options) !== 0;
}
if (suite === 'all' || suite === 'integration') {
  ensureTestTools(integrationTools);
  const { provideEndpoints } = await import('../test/dist/harness/endpoints.js');
  const provided = await provideEndpoints((line) => console.error(`stack: ${line}`)).catch((error) => {
    console.error(`run-tests: no stack for the integration tests: ${error.message}`);
    process.exit(1);
  });
  console.error(`integration endpoints from ${provided.source}: ${JSON.stringify(provided.endpoints)}`);
  try {
    // One file at a time: the files share one broker and a 2-core machine.
    const env = { ...process.env, ...provided.endpoints, CHIPPY_TEST_STACK: 'env' };
    // A test that leaves a handle open (a client, a child process) must not hang the run: once a file's
    // tests are done its process exits, and no single test may take over 10 minutes.
    const options = ['--test-force-exit', '--test-timeout=600000'];
    failed ||=
      runNodeTest('integration', testFiles(['test/dist'], [composeTests, clusterTests]), env, 1, options) !==
      0;
  } finally {
    await provided.release();
  }
  if (provided.source === 'native')
    console.error('the native stack is still running; `npm run stack:down` stops it');
}
process.exit(failed ? 1 : 0);
