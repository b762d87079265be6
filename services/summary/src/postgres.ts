import type { Logger } from '@chippy/runtime';
import pg from 'pg';
import { describePgError, readTotals, type Queryable, type Totals } from './totals.js';

/** Enough of a pg pool to read the totals (a fake in the tests). */
export interface TotalsPool {
  connect(): Promise<Queryable & { release(error?: Error): void }>;
}

/**
 * The summary's pool: two connections, each query bounded so a hung database cannot hold a refresh (or
 * shutdown) up. An idle client losing its connection is logged; unhandled, it would crash the process.
 */
export function createTotalsPool(databaseUrl: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    connectionTimeoutMillis: 5000,
    query_timeout: 5000,
    application_name: 'chippy-summary',
  });
  pool.on('error', (error) => logger.warn({ err: describePgError(error) }, 'PostgreSQL connection lost'));
  return pool;
}

/** The totals, read on a client of the pool; any failure as one line saying what is wrong. */
export async function totalsFromPool(pool: TotalsPool): Promise<Totals> {
  let client: Awaited<ReturnType<TotalsPool['connect']>>;
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
