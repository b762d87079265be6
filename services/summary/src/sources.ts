import type { Admin } from 'kafkajs';
import type { LatencyWindow } from './latency.js';
import { totalsFromPool, type TotalsPool } from './postgres.js';
import type { Sources } from './refresh.js';
import { preparersReader, readCabinet, type CabinetReader, type PreparersAdmin } from './shop-view.js';

export interface SourceClients {
  pool: TotalsPool;
  redis: CabinetReader;
  admin: PreparersAdmin & Pick<Admin, 'connect'>;
  latency: LatencyWindow;
}

/** Where each part of the summary is read from: PostgreSQL, Redis, Kafka's admin API and orders-ready. */
export function summarySources(
  { pool, redis, admin, latency }: SourceClients,
  options: {
    prefix: string;
    names: { group: string; orders: string; ordersReady: string };
    /** Told after every good read of PostgreSQL. */
    onPostgresRead: () => void;
  },
): Sources {
  return {
    totals: {
      what: 'read the orders from PostgreSQL',
      read: () => totalsFromPool(pool),
      onRead: options.onPostgresRead,
    },
    cabinet: { what: 'read the cabinet from Redis', read: () => readCabinet(redis, options.prefix, 2000) },
    preparers: { what: 'read the preparers group from Kafka', read: preparersReader(admin, options.names) },
    // The window moves on even when no order is made ready, so a stopped shop's figures fade out.
    latency: { what: 'sum up the last minute of orders-ready', read: () => Promise.resolve(latency.stats()) },
  };
}
