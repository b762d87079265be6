import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  connectApi,
  connectorSettings,
  ConnectorFailed,
  deployConnector,
  migrate,
  watchConnector,
} from '@chippy/connectors';
import {
  errorMessage,
  loadConfig,
  loadConfigOrExit,
  onUncaught,
  parseBoolean,
  parseEnum,
  parseInteger,
  parseNumber,
  setting,
} from '@chippy/runtime';
import { prettyFactory } from 'pino-pretty';
import { repoRoot } from '@chippy/dev-utils';
import { requirePinnedNode } from './pinned-node.js';
import { runService, type ServiceName } from './run-service.js';
import { endpoints, StackError, up } from './stack.js';

/**
 * `npm start`: the whole shop on this machine. Brings up the native stack unless KAFKA_SERVICE_URI points
 * elsewhere, applies the orders table and deploys the JDBC sink, then runs each till, preparer, cook and
 * the summary as its own process, with their logs in one readable stream (and each in
 * logs/<name>.log), until Ctrl-C stops them all.
 */
requirePinnedNode('shop');
const config = loadConfigOrExit({
  name: 'shop',
  description:
    'Runs the shop: the native stack (unless KAFKA_SERVICE_URI is set), the JDBC sink, tills, preparers, cooks and the summary.',
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
    orderFormat: setting({
      env: 'ORDER_FORMAT',
      flag: '--order-format',
      description:
        'what the tills write and the sink reads: avro (demo6) or json with a Connect schema (demo5)',
      default: 'avro',
      parse: parseEnum(['avro', 'json']),
    }),
    summaryPort: setting({
      env: 'SUMMARY_PORT',
      flag: '--summary-port',
      description: "the summary's web page and metrics port",
      default: 8080,
      parse: parseInteger({ min: 1, max: 65535 }),
    }),
    orders: setting({
      env: 'TILL_ORDERS',
      flag: '--orders',
      description: 'each till stops after this many orders; 0 = until Ctrl-C',
      default: 0,
      parse: parseInteger({ min: 0 }),
    }),
    floor: setting({
      env: 'SHOP_FLOOR',
      flag: '--floor',
      description: "show the shop floor's panels in the terminal instead of the log stream (q quits)",
      default: false,
      parse: parseBoolean,
    }),
    partitionBy: setting({
      env: 'TILL_PARTITION_BY',
      flag: '--partition-by',
      description: "order_id, or till: each till's orders on its own partition (demo3)",
      default: 'order_id',
      parse: parseEnum(['order_id', 'till']),
    }),
    ordersPartitions: setting({
      env: 'ORDERS_PARTITIONS',
      flag: '--orders-partitions',
      description: 'partitions of the orders topic if it is created now (3 for demo3)',
      default: 6,
      parse: parseInteger({ min: 1, max: 1000 }),
    }),
  },
  check: ({ floor }) =>
    floor && !(process.stdin.isTTY && process.stdout.isTTY)
      ? 'SHOP_FLOOR (--floor) needs a terminal: stdin and stdout must be one'
      : undefined,
});

const logDir = path.join(repoRoot, 'logs');
const TILLS_PER_COOK = 8;
const pretty = prettyFactory({
  colorize: process.stdout.isTTY,
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss.l',
  // The process label says who spoke; the start-up config is in logs/<name>.log.
  ignore: 'pid,hostname,service,instance,config',
});
const children = new Map<string, ChildProcess>();
let stopping = false;
/** Set when the shop stops because something went wrong: it then exits 1 whatever the services do. */
let failed = false;
/** Ends the sink's watcher on Ctrl-C. */
const closing = new AbortController();

async function main(): Promise<void> {
  const external = Boolean(process.env.KAFKA_SERVICE_URI);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TIME_SCALE: String(config.timeScale),
    ORDER_FORMAT: config.orderFormat,
    ORDERS_PARTITIONS: String(config.ordersPartitions),
  };
  if (!external) Object.assign(env, await up((line) => console.log(`stack     │ ${line}`)));
  else
    console.log(
      `stack     │ using KAFKA_SERVICE_URI=${process.env.KAFKA_SERVICE_URI} (native stack not started)`,
    );
  mkdirSync(logDir, { recursive: true });
  await setUpSink(env, external);

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
      TILL_PARTITION_BY: config.partitionBy,
    });
  }
  run('summary', 'summary', { ...env, HTTP_PORT: String(config.summaryPort) });
  console.log(
    `shop      │ ${config.tills} till(s), ${config.preparers} preparer(s), ${config.cooks} cook(s), ` +
      `plaice ${config.plaice ? 'on' : 'off'}, TIME_SCALE=${config.timeScale}; metrics on :9101.. (tills), ` +
      `:9201.. (preparers), :9301.. (cooks); logs in ${path.relative(process.cwd(), logDir)}/; Ctrl-C stops`,
  );
  if (!external)
    console.log(
      `shop      │ Kafka at ${endpoints.KAFKA_SERVICE_URI}; \`npm run stack:down\` stops the stack`,
    );
  console.log(`shop      │ the shop at a glance: http://127.0.0.1:${config.summaryPort}/`);
  // docs/architecture.md, "Keeping up": one cook's fryer supplies about 8 tills at demo pace.
  if (config.cooks > 0 && config.tills > TILLS_PER_COOK * config.cooks)
    console.log(
      `shop      │ note: ${config.tills} tills sell more than ${config.cooks} cook(s) can fry ` +
        `(about ${TILLS_PER_COOK} tills a cook); orders will wait for the fryer — try --cooks ` +
        `${Math.ceil(config.tills / TILLS_PER_COOK)}`,
    );
  if (config.floor) showFloor(env);
}

/** The terminal floor in place of the log stream (which still goes to logs/); quitting it stops the shop. */
let floorShown = false;
function showFloor(env: NodeJS.ProcessEnv): void {
  floorShown = true;
  const floor = spawn(process.execPath, [path.join(repoRoot, 'tools/floor/dist/main.js')], {
    env: { ...env, FLOOR_LOG_FILE: path.join(logDir, 'floor.log') },
    stdio: 'inherit',
  });
  floor.on('exit', () => {
    floorShown = false;
    stop();
  });
  // In raw mode the floor takes Ctrl-C as a key; a SIGTERM to the shop must still end it.
  process.on('SIGTERM', () => floor.kill('SIGTERM'));
}

/**
 * The orders table and the JDBC sink that fills it, for the format the tills write. With an external
 * Kafka the sink is deployed only where CONNECT_URL says which Connect to use.
 */
async function setUpSink(env: NodeJS.ProcessEnv, external: boolean): Promise<void> {
  const log = (line: string) => console.log(`sink      │ ${line}`);
  if (external && !env.CONNECT_URL) {
    log('no CONNECT_URL: the JDBC sink is not deployed (the summary shows what is already in PostgreSQL)');
    return;
  }
  const sink = loadConfig({
    name: 'sink',
    description: '',
    settings: connectorSettings,
    argv: [],
    env: { CONNECTOR_TARGET: external ? 'aiven' : 'local', ...env },
  });
  try {
    await migrate(sink.databaseUrl, log);
    const { name } = await deployConnector(sink, log);
    // Connect never restarts a failed task (a database outage can fail one): restart it, as an operator would.
    void watchConnector(connectApi(sink.connectUrl), name, {
      intervalMs: sink.watchInterval * 1000,
      signal: closing.signal,
      log,
    });
  } catch (error) {
    // The shop still runs without its copy in PostgreSQL; the summary says the table is missing or stale.
    log(`the JDBC sink is not running: ${errorMessage(error)}`);
    if (error instanceof ConnectorFailed && error.trace) log(error.trace.split('\n')[0] ?? '');
  }
}

function run(name: string, service: ServiceName, env: NodeJS.ProcessEnv): void {
  const file = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const label = name.padEnd(10);
  const child = runService(service, env, (line) => {
    file.write(`${line}\n`);
    if (!floorShown)
      process.stdout.write(`${label}│ ${line.startsWith('{') ? pretty(line).trimEnd() : line}\n`);
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    file.end();
    if (!floorShown) console.log(`${label}│ exited (${signal ?? `code ${code}`})`);
    if (children.size === 0) process.exit(!failed && (stopping || code === 0) ? 0 : 1);
  });
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  closing.abort();
  console.log('shop      │ closing: stopping every service (SIGTERM)…');
  for (const child of children.values()) child.kill('SIGTERM');
  if (children.size === 0) process.exit(failed ? 1 : 0);
}

/** Says what went wrong, stops every service and exits 1. */
function fail(...what: unknown[]): void {
  console.error(...what);
  failed = true;
  stop();
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
onUncaught((what, error) => fail(`shop: ${what}:`, error));
main().catch((error: unknown) => fail(error instanceof StackError ? `stack: ${error.message}` : error));
