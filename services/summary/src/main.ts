import { createKafka, startService } from '@chippy/kafka';
import { redactUrl } from '@chippy/runtime';
import { closeRedis, createRedis } from '@chippy/shop';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';
import { createLatencyWindow } from './latency.js';
import { summaryMetrics } from './metrics.js';
import { partFailed, partRead, type Part } from './part.js';
import { poll } from './poll.js';
import { loadPage, summaryRoutes } from './routes.js';
import { summarySettings } from './settings.js';
import { readCabinet, readPreparers, type Preparers } from './shop-view.js';
import { startFloorFeed } from './floor.js';
import { createSseHub } from './sse.js';
import { createBoard, type DataOf, type PartName } from './summary.js';
import { describePgError, readTotals, type Totals } from './totals.js';

const page = loadPage(new URL('../page/', import.meta.url));
const hub = createSseHub();
// The routes need the board, which needs the service's config: they are set once both exist, and until
// then (a few milliseconds at start-up) the page's paths answer 404.
let routes: (req: IncomingMessage, res: ServerResponse) => boolean = () => false;

const service = await startService({
  name: 'summary',
  description:
    'The summary: totals from PostgreSQL (filled by the JDBC sink), the cabinet, the preparers and their lag, as JSON, metrics and a live web page.',
  httpPort: 8080,
  settings: summarySettings,
  routes: (req, res) => routes(req, res),
});
const { config, logger, shutdown, topics, groups } = service;
const intervalMs = config.summaryInterval * 1000;

const publish = summaryMetrics(service.metrics);
const board = createBoard({
  intervalSeconds: config.summaryInterval,
  onChange: (summary) => {
    publish(summary);
    hub.broadcast(JSON.stringify(summary));
  },
});
const latency = createLatencyWindow(60_000);
// The shop floor's frames: a few a second, whatever the order rate (see floor.ts).
const floor = startFloorFeed({
  kafka: service.kafka,
  serde: service.serde,
  topics,
  groups,
  prefix: config.topicPrefix,
  logger,
  signal: shutdown.signal,
  intervalMs: 250,
  onReady: (ready) => latency.add(ready.order_time, ready.ready_time),
});
routes = summaryRoutes({ page, summary: () => board.current(), hub, floor });

// Ready once PostgreSQL has answered and Redis has connected. It stays ready through later outages: the
// page then shows the last figures as stale, which beats a load balancer taking the page away.
const postgresReady = service.readiness('postgres');
const redisReadyPart = service.readiness('redis');
const redisReady = (ready: boolean) => ready && redisReadyPart(true);

const pool = new pg.Pool({
  connectionString: config.databaseUrl,
  max: 2,
  connectionTimeoutMillis: 5000,
  // Bounds a refresh, so a hung database cannot hold shutdown up.
  query_timeout: 5000,
  application_name: 'chippy-summary',
});
// An idle client losing its connection is reported here; unhandled, it would crash the process.
pool.on('error', (error) => logger.warn({ err: describePgError(error) }, 'PostgreSQL connection lost'));
const redis = createRedis(config.redisUrl, logger, redisReady);
// Gives up quickly (the poll loop retries with backoff), so an unreachable broker shows on the page soon.
const admin = createKafka(config, 'chippy-summary', logger, {
  retry: { initialRetryTime: 300, retries: 2 },
}).admin();

async function totalsFromPostgres(): Promise<Totals> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new Error(describePgError(error));
  }
  let failed: Error | undefined;
  try {
    return await readTotals(client);
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    throw new Error(describePgError(error));
  } finally {
    // A client whose query failed may be in any state: drop it rather than reuse it.
    client.release(failed);
  }
}

let adminConnected = false;
async function preparersFromKafka(): Promise<Preparers> {
  if (!adminConnected) {
    await admin.connect();
    adminConnected = true;
  }
  return readPreparers(admin, {
    group: groups.preparers,
    orders: topics.orders,
    ordersReady: topics.ordersReady,
  });
}

function source<K extends PartName>(
  name: K,
  what: string,
  read: () => Promise<DataOf<K>>,
  onRead?: () => void,
) {
  return poll({
    what,
    read,
    intervalMs,
    logger,
    signal: shutdown.signal,
    onRead: (data) => {
      board.set(name, partRead(data, new Date()));
      onRead?.();
    },
    onFailed: (error) =>
      board.set(name, partFailed(board.current()[name] as Part<DataOf<K>>, error, new Date())),
  });
}

// Reverse order on shutdown: stop the loops, end the page's streams, then the admin, Redis and the pool.
shutdown.add('postgres pool', () => pool.end());
shutdown.add('redis', () => closeRedis(redis));
shutdown.add('kafka admin', () => admin.disconnect());
shutdown.add('live page streams', () => Promise.resolve(hub.close()));
shutdown.add('shop floor', () => floor.stop());

logger.info(
  {
    database: redactUrl(config.databaseUrl),
    intervalSeconds: config.summaryInterval,
    port: service.http.port,
  },
  'summary serving the shop at a glance',
);
redis.connect().catch(() => undefined); // the client's retry strategy keeps trying and logs each attempt
const loops = Promise.all([
  source('totals', 'read the orders from PostgreSQL', totalsFromPostgres, () => postgresReady(true)),
  source('cabinet', 'read the cabinet from Redis', () => readCabinet(redis, config.topicPrefix, 2000)),
  source('preparers', 'read the preparers group from Kafka', preparersFromKafka),
  // The window moves on even when no order is made ready, so a stopped shop's figures fade out.
  source('latency', 'sum up the last minute of orders-ready', () => Promise.resolve(latency.stats())),
]);
shutdown.add('refresh loops', () => loops.then(() => undefined));
