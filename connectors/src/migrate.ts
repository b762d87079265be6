import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { connectorsDir } from './render.js';

export const sqlDir = path.join(connectorsDir, 'sql');

/** The DDL files, applied in name order (`001-orders.sql`, `002-…`). */
export const migrationFiles = (dir = sqlDir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();

// Any fixed number: it only has to be the same for every migrator of this database.
const LOCK_ID = 4242_0001;

/**
 * Applies each SQL file once, in order, each in its own transaction, recording it in `chippy_migrations`;
 * creates the database first if it does not exist. Safe to run again and from several places at once
 * (an advisory lock serialises them). Returns the files applied this time.
 */
export async function migrate(databaseUrl: string, log: (line: string) => void, dir = sqlDir) {
  const client = await connectCreatingDatabase(databaseUrl, log);
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(
      'create table if not exists chippy_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('select name from chippy_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of migrationFiles(dir)) {
      if (done.has(file)) continue;
      await client.query('begin');
      try {
        await client.query(readFileSync(path.join(dir, file), 'utf8'));
        await client.query('insert into chippy_migrations (name) values ($1)', [file]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      log(`applied ${file}`);
      applied.push(file);
    }
    if (applied.length === 0) log('database schema up to date');
    return applied;
  } finally {
    await client.end();
  }
}

async function connectCreatingDatabase(databaseUrl: string, log: (line: string) => void) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    // 3D000: database does not exist. Anything else (refused, auth) is for the caller.
    if ((error as { code?: string }).code !== '3D000') throw error;
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
    log(`created database ${name}`);
  } catch (error) {
    // Created meanwhile by another migrator: 42P04 if it had committed, 23505 (pg_database's unique
    // index) if both were creating it at once.
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await admin.end();
  }
  const created = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await created.connect();
  return created;
}
