import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, parseBoolean, parseInteger, parseNumber, setting } from '@chippy/messaging';
import { prettyFactory } from 'pino-pretty';
import { repoRoot } from './paths.js';
import { runService, type ServiceName } from './run-service.js';
import { endpoints, StackError, up } from './stack.js';

/**
 * `npm start`: the whole shop on this machine. Brings up the native stack unless KAFKA_SERVICE_URI points
 * elsewhere, then runs each till and preparer as its own process, with their logs in one readable
 * stream (and each in logs/<name>.log), until Ctrl-C stops them all.
 */
const config = loadConfigOrExit({
  name: 'shop',
  description:
    'Runs the shop: the native stack (unless KAFKA_SERVICE_URI is set), tills, preparers and cooks.',
  settings: {
    tills: setting({
      env: 'SHOP_TILLS',
      flag: '--tills',
      description: 'number of tills',
      default: 3,
      parse: parseInteger({ min: 0, max: 20 }),
    }),
    preparers: setting({
      env: 'SHOP_PREPARERS',
      flag: '--preparers',
      description: 'number of preparers',
      default: 2,
      parse: parseInteger({ min: 0, max: 20 }),
    }),
    cooks: setting({
      env: 'SHOP_COOKS',
      flag: '--cooks',
      description: 'number of cooks',
      default: 1,
      parse: parseInteger({ min: 0, max: 5 }),
    }),
    plaice: setting({
      env: 'TILL_PLAICE',
      flag: '--plaice',
      description: 'plaice on the menu (--plaice false for the menu of demos 1-3)',
      default: true,
      parse: parseBoolean,
    }),
    timeScale: setting({
      env: 'TIME_SCALE',
      flag: '--time-scale',
      description: 'multiplies every simulated duration; 1 = demo pace',
      default: 1,
      parse: parseNumber({ min: 0 }),
    }),
    orders: setting({
      env: 'TILL_ORDERS',
      flag: '--orders',
      description: 'each till stops after this many orders; 0 = until Ctrl-C',
      default: 0,
      parse: parseInteger({ min: 0 }),
    }),
  },
});

const logDir = path.join(repoRoot, 'logs');
const pretty = prettyFactory({
  colorize: process.stdout.isTTY,
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss.l',
  // The process label says who spoke; the start-up config is in logs/<name>.log.
  ignore: 'pid,hostname,service,instance,config',
});
const children = new Map<string, ChildProcess>();
let stopping = false;

async function main(): Promise<void> {
  const external = Boolean(process.env.KAFKA_SERVICE_URI);
  const env: NodeJS.ProcessEnv = { ...process.env, TIME_SCALE: String(config.timeScale) };
  if (!external) Object.assign(env, await up((line) => console.log(`stack     │ ${line}`)));
  else
    console.log(
      `stack     │ using KAFKA_SERVICE_URI=${process.env.KAFKA_SERVICE_URI} (native stack not started)`,
    );
  mkdirSync(logDir, { recursive: true });

  for (let i = 1; i <= config.cooks; i++) {
    run(`cook-${i}`, 'cook', { ...env, COOK_ID: `cook-${i}`, HTTP_PORT: String(9300 + i) });
  }
  for (let i = 1; i <= config.preparers; i++) {
    run(`preparer-${i}`, 'preparer', { ...env, PREPARER_ID: `preparer-${i}`, HTTP_PORT: String(9200 + i) });
  }
  for (let i = 1; i <= config.tills; i++) {
    run(`till-${i}`, 'till', {
      ...env,
      TILL_ID: `till-${i}`,
      HTTP_PORT: String(9100 + i),
      TILL_PLAICE: String(config.plaice),
      TILL_ORDERS: String(config.orders),
    });
  }
  console.log(
    `shop      │ ${config.tills} till(s), ${config.preparers} preparer(s), ${config.cooks} cook(s), ` +
      `plaice ${config.plaice ? 'on' : 'off'}, TIME_SCALE=${config.timeScale}; metrics on :9101.. (tills), ` +
      `:9201.. (preparers), :9301.. (cooks); logs in ${path.relative(process.cwd(), logDir)}/; Ctrl-C stops`,
  );
  if (!external)
    console.log(
      `shop      │ Kafka at ${endpoints.KAFKA_SERVICE_URI}; \`npm run stack:down\` stops the stack`,
    );
}

function run(name: string, service: ServiceName, env: NodeJS.ProcessEnv): void {
  const file = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const label = name.padEnd(10);
  const child = runService(service, env, (line) => {
    file.write(`${line}\n`);
    process.stdout.write(`${label}│ ${line.startsWith('{') ? pretty(line).trimEnd() : line}\n`);
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    file.end();
    console.log(`${label}│ exited (${signal ?? `code ${code}`})`);
    if (children.size === 0) process.exit(stopping || code === 0 ? 0 : 1);
  });
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  console.log('shop      │ closing: stopping every service (SIGTERM)…');
  for (const child of children.values()) child.kill('SIGTERM');
  if (children.size === 0) process.exit(0);
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
main().catch((error: unknown) => {
  console.error(error instanceof StackError ? `stack: ${error.message}` : error);
  stop();
  process.exitCode = 1;
});
