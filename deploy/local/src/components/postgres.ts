import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { paths } from '../paths.js';
import { aptInstall, hasCommand } from '../debian.js';
import type { Component } from './component.js';

const postgresAdminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseName = 'chippy';
export const databaseUrl = `postgres://postgres@127.0.0.1:5432/${databaseName}`;

/**
 * PostgreSQL: the machine's own cluster when it answers on 5432; otherwise Debian's cluster is started
 * (installed first if missing). `down` stops it only if `up` started it.
 */
export function postgres(log: (line: string) => void): Component {
  const startedMarker = path.join(paths.run, 'postgres.started');
  return {
    name: 'postgres',
    title: 'PostgreSQL',
    address: '127.0.0.1:5432',
    startupTimeoutMs: 30_000,
    logFile: '/var/log/postgresql',
    answers: () =>
      query(postgresAdminUrl, 'select 1').then(
        () => true,
        () => false,
      ),
    owned: () => existsSync(startedMarker),
    async stop() {
      if (!existsSync(startedMarker)) return false;
      const { version, name } = cluster();
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'stop'], {
        stdio: 'ignore',
      });
      rmSync(startedMarker, { force: true });
      return Promise.resolve(true);
    },
    start() {
      if (!hasCommand('pg_ctlcluster') || !existsSync('/etc/postgresql')) aptInstall(['postgresql'], log);
      const { version, name } = cluster();
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], {
        stdio: 'ignore',
      });
      writeFileSync(startedMarker, `${version} ${name}\n`);
      return Promise.resolve();
    },
    async afterStart() {
      // The shop's own database; the schema in it is the migration's business (`npm run db:migrate`).
      const rows = await query(postgresAdminUrl, 'select 1 from pg_database where datname = $1', [
        databaseName,
      ]);
      if (rows.length === 0) await query(postgresAdminUrl, `create database ${databaseName}`);
    },
  };
}

function cluster(): { version: string; name: string } {
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  return { version, name: 'main' };
}

async function query(url: string, sql: string, params: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const result = await client.query<Record<string, unknown>>(sql, params);
    return result.rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
