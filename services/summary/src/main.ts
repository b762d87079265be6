#!/usr/bin/env node
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createKafka } from '@chippy/kafka';
import { startService } from '@chippy/shop';
import { closeRedis, createRedis } from '@chippy/stores';
import { redactUrl, startFailed } from '@chippy/runtime';
import { startFloorFeed } from './floor.js';
import { createLatencyWindow } from './latency.js';
import { summaryMetrics } from './metrics.js';
import { createTotalsPool } from './postgres.js';
import { refreshBoard } from './refresh.js';
import { hostGuard } from './guard.js';
import { publicSummary } from './public-view.js';
import { loadPage, summaryRoutes } from './routes.js';
import { summarySettings } from './settings.js';
import { summarySources } from './sources.js';
import { createSseHub } from './sse.js';
import { createBoard } from './summary.js';

// The page's routes need the board and the floor, which need the service: until they are set (a few
// milliseconds at start-up) the page's paths answer 404.
let routes: (req: IncomingMessage, res: ServerResponse) => boolean = () => false;
const service = await startService({
  name: 'summary',
  description:
    'The summary: totals from PostgreSQL (filled by the JDBC sink), the cabinet, the preparers and their lag, as JSON, metrics and a live web page.',
  httpPort: 8080,
  settings: summarySettings,
  routes: (req, res) => routes(req, res),
});
const { config, logger, shutdown, kafka, serde, topics, groups } = service;

try {
  const page = loadPage(new URL('../page/', import.meta.url));
  const hub = createSseHub();
  const publish = summaryMetrics(service.metrics);
  const board = createBoard({
    intervalSeconds: config.summaryInterval,
    onChange: (summary) => {
      publish(summary);
      hub.broadcast(JSON.stringify(publicSummary(summary)));
    },
  });
  const latency = createLatencyWindow(60_000);
  // The shop floor's frames: a few a second, whatever the order rate (see floor.ts).
  const floor = startFloorFeed({
    kafka,
    serde,
    topics,
    groups,
    logger,
    prefix: config.topicPrefix,
    signal: shutdown.signal,
    intervalMs: 250,
    onReady: (ready) => latency.add(ready.order_time, ready.ready_time),
  });
  routes = summaryRoutes({
    page,
    summary: () => board.current(),
    hub,
    floor,
    hostAllowed: hostGuard(config.httpHost, config.allowedHosts),
  });

  // Ready once PostgreSQL has answered and Redis has connected. It stays ready through later outages: the
  // page then shows the last figures as stale, which beats a load balancer taking the page away.
  const postgresReady = service.readiness('postgres');
  const redisReady = service.readiness('redis');
  const pool = createTotalsPool(config.databaseUrl, logger);
  const redis = createRedis(config.redisUrl, logger, (ready) => ready && redisReady(true));
  // Gives up quickly (the refresh retries with backoff), so an unreachable broker shows on the page soon.
  const retry = { initialRetryTime: 300, retries: 2 };
  const admin = createKafka(config, 'chippy-summary', logger, { retry }).admin();

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
  const sources = summarySources(
    { pool, redis, admin, latency },
    {
      prefix: config.topicPrefix,
      names: { group: groups.preparers, orders: topics.orders, ordersReady: topics.ordersReady },
      onPostgresRead: () => postgresReady(true),
    },
  );
  const polling = { intervalMs: config.summaryInterval * 1000, logger, signal: shutdown.signal };
  const loops = refreshBoard(board, sources, polling);
  shutdown.add('refresh loops', () => loops);
} catch (error) {
  await startFailed('summary', error, service);
}
