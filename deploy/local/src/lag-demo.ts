import type { ChildProcess } from 'node:child_process';
import { loadConfigOrExit, onUncaught, parseInteger, parseNumber, setting, sleep } from '@chippy/runtime';
import { requirePinnedNode } from './pinned-node.js';
import { runService } from './run-service.js';
import { StackError, up } from './stack.js';

/**
 * `npm run demo:lag`: the original demo2 lesson with numbers. Three tills outpace one preparer, so the
 * group's lag grows; two preparers (sharing the 6 partitions) keep up, so it stays bounded. Each phase gets
 * its own topics and group (TOPIC_PREFIX) and reads the lag from the preparers' own /metrics.
 */
requirePinnedNode('demo:lag');
const config = loadConfigOrExit({
  name: 'demo:lag',
  description: 'Shows consumer lag growing with 1 preparer and bounded with 2, for 3 tills.',
  settings: {
    seconds: setting({
      env: 'DEMO_SECONDS',
      flag: '--seconds',
      description: 'length of each phase',
      default: 40,
      parse: parseInteger({ min: 10 }),
    }),
    timeScale: setting({
      env: 'TIME_SCALE',
      flag: '--time-scale',
      description: 'simulated time factor (ratios of till and preparer speed stay as at demo pace)',
      default: 0.25,
      parse: parseNumber({ min: 0.01 }),
    }),
    tills: setting({
      env: 'SHOP_TILLS',
      flag: '--tills',
      description: 'number of tills',
      default: 3,
      parse: parseInteger({ min: 1, max: 10 }),
    }),
  },
});

/** The services running now: each is in its own process group, so none would stop with the demo. */
const running = new Set<ChildProcess>();
function launch(...args: Parameters<typeof runService>): ChildProcess {
  const child = runService(...args);
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** Stops every service the demo started and exits with `code`, after saying why. */
function abandon(code: number, ...why: unknown[]): never {
  console.error(...why);
  for (const child of running) child.kill('SIGTERM');
  return process.exit(code);
}

/** Ports from here on: the cook, then the preparers, then (from +11) the tills; clear of `npm start`'s. */
const firstPort = 9400;
const sampleEverySeconds = 5; // the preparers' lag monitor refreshes every 5 s

async function totalLag(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const values = text
      .split('\n')
      .filter((l) => l.startsWith('chippy_consumer_lag{'))
      .map((l) => Number(l.split(' ').at(-1)));
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
  } catch {
    return undefined;
  }
}

async function untilReady(port: number): Promise<void> {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(250);
  }
}

async function phase(preparers: number, env: NodeJS.ProcessEnv): Promise<(number | undefined)[]> {
  const prefix = `lagdemo-${Date.now()}-${preparers}p-`;
  const base = { ...env, TOPIC_PREFIX: prefix, TIME_SCALE: String(config.timeScale), LOG_LEVEL: 'warn' };
  const quiet = () => undefined;
  const children: ChildProcess[] = [];
  // Demos 1–3 had no cabinet: a cook with a bottomless cabinet (huge targets, frequent top-ups) keeps it
  // that way, so preparing, not frying, is what bounds the preparers.
  const bottomless = {
    TARGET_COD: '5000',
    TARGET_CHIPS: '10000',
    LOW_WATER_COD: '2500',
    LOW_WATER_CHIPS: '5000',
    FRYER_CAPACITY: '15000',
  };
  const cook = { ...bottomless, RESTOCK_INTERVAL: '0.5', COOK_ID: 'cook-1', HTTP_PORT: String(firstPort) };
  children.push(launch('cook', { ...base, ...cook }, quiet));
  for (let i = 1; i <= preparers; i++) {
    const id = { PREPARER_ID: `preparer-${i}`, HTTP_PORT: String(firstPort + i) };
    children.push(launch('preparer', { ...base, ...id }, quiet));
  }
  await Promise.all(Array.from({ length: preparers + 1 }, (_, i) => untilReady(firstPort + i)));
  for (let i = 1; i <= config.tills; i++) {
    const till = { TILL_ID: `till-${i}`, TILL_PLAICE: 'false', HTTP_PORT: String(firstPort + 10 + i) };
    children.push(launch('till', { ...base, ...till }, quiet));
  }
  const samples: (number | undefined)[] = [];
  for (let t = sampleEverySeconds; t <= config.seconds; t += sampleEverySeconds) {
    await sleep(sampleEverySeconds * 1000);
    samples.push(await totalLag(firstPort + 1));
    console.log(`  ${preparers} preparer(s), ${String(t).padStart(3)} s: lag ${samples.at(-1) ?? '?'}`);
  }
  await Promise.all(
    children.map((c) => new Promise((resolve) => (c.kill('SIGTERM'), c.on('exit', resolve)))),
  );
  return samples;
}

async function main(): Promise<void> {
  const env = process.env.KAFKA_SERVICE_URI
    ? { ...process.env }
    : { ...process.env, ...(await up(() => undefined)) };
  console.log(
    `${config.tills} tills at TIME_SCALE=${config.timeScale}: ${config.seconds} s with 1 preparer, then with 2`,
  );
  const one = await phase(1, env);
  const two = await phase(2, env);
  console.log('\n| time (s) | lag, 1 preparer | lag, 2 preparers |\n| ---: | ---: | ---: |');
  one.forEach((lag, i) =>
    console.log(`| ${(i + 1) * sampleEverySeconds} | ${lag ?? '?'} | ${two[i] ?? '?'} |`),
  );
}

process.on('SIGINT', () => abandon(130, 'demo:lag: stopped'));
process.on('SIGTERM', () => abandon(143, 'demo:lag: stopped'));
onUncaught((what, error) => abandon(1, `demo:lag: ${what}:`, error));
main().catch((error: unknown) => abandon(1, error instanceof StackError ? `stack: ${error.message}` : error));
