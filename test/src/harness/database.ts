import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '@chippy/connectors';
import pg from 'pg';
import { endpointsFromEnv } from './endpoints.js';
import { uniqueName } from './kafka.js';

const created: { url: string; drop: () => Promise<void> }[] = [];

/** Runs one query on a fresh connection (a test's reads must not hold a pool open). */
export async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A database of the test's own on the stack's PostgreSQL (or on `server`), with the project's migrations
 * applied (or those in `migrations`), so the sink's `orders` table holds only this test's orders.
 * `dropDatabases()` removes them.
 */
export async function isolatedDatabase(
  name: string,
  { server = endpointsFromEnv().DATABASE_URL, migrations }: { server?: string; migrations?: string } = {},
) {
  const url = new URL(server);
  const database = uniqueName(`chippy_${name}`).replace(/-/g, '_');
  url.pathname = `/${database}`;
  await migrate(url.toString(), () => undefined, migrations);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const drop = () =>
    query(admin.toString(), `drop database if exists ${pg.escapeIdentifier(database)} with (force)`).then(
      () => undefined,
    );
  created.push({ url: url.toString(), drop });
  return { url: url.toString(), database };
}

export async function dropDatabases(): Promise<void> {
  for (const { drop } of created.splice(0)) await drop().catch(() => undefined);
}

/** A row of the sink's `orders` table (`payment` from migration 002 on). */
export interface OrderRow {
  order_id: string;
  till: string;
  count: number;
  order_time: Date;
  items: string[];
  payment?: string | null;
}

/** The `orders` rows once there are `count` of them (the sink writes in batches, a little after the tills). */
export async function rowsWhen(url: string, count: number, timeoutMs = 90_000): Promise<OrderRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await query<OrderRow>(url, 'select * from "orders"').catch(() => []);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A PostgreSQL server of the test's own (Debian's binaries, as the postgres user) on `port`, so a test may
 * stop and start it without touching the machine's server that everything else shares.
 */
export function privatePostgres(port: number) {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  const bin = versions.length > 0 ? `/usr/lib/postgresql/${versions.at(-1)}/bin` : undefined;
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const dir = mkdtempSync(path.join(tmpdir(), 'chippy-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const asPostgres = (args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'ignore', timeout: 60_000 });
  asPostgres([`${bin}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  const pgCtl = (...args: string[]) =>
    asPostgres([`${bin}/pg_ctl`, '-D', data, '-l', path.join(dir, 'log'), '-w', ...args]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/chippy`,
    start: () => pgCtl('-o', options, 'start'),
    stop: () => pgCtl('-m', 'fast', 'stop'),
    remove() {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
