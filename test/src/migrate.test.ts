// The orders table's migrator runs from several places that can start together (npm start, the
// Kubernetes setup Job, tests): on a database that does not exist yet, every one of them must succeed and
// each file must be applied once.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { migrate, migrationFiles } from '@chippy/connectors';
import pg from 'pg';
import { query } from './harness/database.js';
import { endpointsFromEnv } from './harness/endpoints.js';
import { uniqueName } from './harness/kafka.js';

const url = new URL(endpointsFromEnv().DATABASE_URL);
const database = uniqueName('chippy_migrate').replace(/-/g, '_');
url.pathname = `/${database}`;
const admin = new URL(url);
admin.pathname = '/postgres';
describe("the orders table's migrator", () => {
  after(() =>
    query(admin.toString(), `drop database if exists ${pg.escapeIdentifier(database)} with (force)`),
  );

  it('four migrators at once on a missing database: all succeed, each file applied once', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => migrate(url.toString(), () => undefined)),
    );
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
    assert.deepEqual(failed, []);
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    assert.deepEqual([...applied].sort(), migrationFiles(), 'every file applied by exactly one migrator');
    const recorded = await query<{ name: string }>(
      url.toString(),
      'select name from chippy_migrations order by name',
    );
    assert.deepEqual(
      recorded.map((r) => r.name),
      migrationFiles(),
    );
    const [table] = await query<{ n: number }>(
      url.toString(),
      "select count(*)::int as n from information_schema.tables where table_name = 'orders'",
    );
    assert.equal(table?.n, 1);
  });
});
