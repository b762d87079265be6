// A schema that changes while the shop runs: version 2 of Order adds an optional `payment`. Old and new
// tills and preparers run side by side against the real registry, the JDBC sink and PostgreSQL; a till
// whose schema the registry refuses stops with one line and sends nothing; `schemas:check` passes on the
// repository's schemas and fails on a broken copy; `topics` shows the broker's settings beside the
// declared ones.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { migrate, migrationFiles, sqlDir } from '@chippy/connectors';
import { repoRoot } from '@chippy/dev-utils';
import { OrderSchema } from '@chippy/shop';
import { dropDatabases, isolatedDatabase, rowsWhen } from './harness/database.js';
import { endpointsFromEnv } from './harness/endpoints.js';
import { testKafka } from './harness/kafka.js';
import { joinedPreparers, servicesPerTest } from './harness/services.js';
import { duplicatesOf, deleteShops, isolatedShop } from './harness/shop.js';
import { deleteSinks, deploySink } from './harness/sink.js';
import { readTopic } from './harness/topics.js';

const run = promisify(execFile);
describe('schema evolution', () => {
  const start = servicesPerTest();
  after(async () => {
    await deleteSinks();
    await deleteShops();
    await dropDatabases();
  });

  const registryUri = () => endpointsFromEnv().SCHEMA_REGISTRY_URI;
  const registry = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${registryUri()}${route}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  };

  /** A database as it was before version 2: only the migrations that came before 002 applied. */
  async function databaseBeforeTheChange() {
    const migrations = mkdtempSync(path.join(tmpdir(), 'chippy-sql-'));
    for (const file of migrationFiles().filter((f) => f < '002'))
      cpSync(path.join(sqlDir, file), path.join(migrations, file));
    return (await isolatedDatabase('evolve', { migrations })).url;
  }

  it('old and new tills and preparers side by side: every order ready once and a row once, payment filled for new orders, old rows intact', async () => {
    const shop = isolatedShop('evolve');
    const db = await databaseBeforeTheChange();
    await deploySink(shop.prefix, db, 'avro');
    const env = { ...shop.env, TIME_SCALE: '0' };
    const v1 = { ...env, ORDER_SCHEMA_VERSION: '1' };

    // Before the change: everything on version 1, the table without the column.
    const cook = start('cook', 'evolve-cook', [], v1);
    const oldPreparer = start('preparer', 'evolve-preparer-v1', ['--preparer-id', 'preparer-v1'], v1);
    await joinedPreparers(oldPreparer);
    const before = start(
      'till',
      'evolve-till-v1-before',
      ['--orders', '10', '--till-id', 'till-v1-before'],
      v1,
    );
    assert.deepEqual(await before.exited, { code: 0, signal: null });
    const rowsBefore = await rowsWhen(db, 10);
    assert.equal(rowsBefore.length, 10, 'version 1 orders are rows before the migration');
    assert.ok(!('payment' in rowsBefore[0]!), 'no payment column yet');

    // The change, in its order: the column first, then services on version 2 beside those on version 1.
    const applied = await migrate(db, () => undefined);
    assert.deepEqual(applied, ['002-orders-payment.sql']);
    const newPreparer = start('preparer', 'evolve-preparer-v2', ['--preparer-id', 'preparer-v2'], env);
    await joinedPreparers(newPreparer);
    const tills = [
      start('till', 'evolve-till-v2', ['--orders', '20', '--till-id', 'till-v2'], env),
      start('till', 'evolve-till-v1', ['--orders', '20', '--till-id', 'till-v1'], v1),
    ];
    for (const till of tills) assert.deepEqual(await till.exited, { code: 0, signal: null });

    // On the topic: both versions, each under its own schema id in the same subject.
    const orders = await shop.orders(50);
    assert.equal(orders.length, 50);
    const versions = (await registry('GET', `/subjects/${shop.topics.orders}-value/versions`)) as number[];
    assert.deepEqual(versions, [1, 2], 'version 2 registered after version 1');
    const raw = await readTopic(shop.topics.orders, (m) => m.length >= 50);
    const idOf = (till: string) =>
      new Set(
        raw
          .filter((m) => orders.find((o) => o.order_id === m.key)?.till === till)
          .map((m) => m.value!.readInt32BE(1)),
      );
    assert.equal(idOf('till-v1').size, 1);
    assert.equal(idOf('till-v2').size, 1);
    assert.notDeepEqual(idOf('till-v1'), idOf('till-v2'), 'each version has its own schema id');
    for (const o of orders) {
      if (o.till === 'till-v2')
        assert.ok(o.payment === 'card' || o.payment === 'cash', `${o.order_id} payment`);
      else
        assert.equal(o.payment, null, 'a version 2 reader sees null where a version 1 writer had no payment');
    }

    // Every order ready exactly once, handed over by old and new preparers alike.
    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), []);
    assert.deepEqual(new Set(ready.map((r) => r.order_id)), new Set(orders.map((o) => o.order_id)));
    for (const [preparer, till] of [
      ['preparer-v1', 'till-v2'],
      ['preparer-v2', 'till-v1'],
    ]) {
      assert.ok(
        ready.some((r) => r.preparer === preparer && r.till === till),
        `${preparer} handed over an order from ${till}`,
      );
    }

    // Every order one row; version 2 rows carry the payment, the rest null; the first ten unchanged.
    const rows = await rowsWhen(db, 50);
    assert.equal(rows.length, 50);
    const byId = new Map(rows.map((r) => [r.order_id, r]));
    for (const o of orders) {
      const row = byId.get(o.order_id);
      assert.ok(row, `a row for ${o.order_id}`);
      assert.deepEqual(
        {
          till: row.till,
          count: row.count,
          order_time: row.order_time.getTime(),
          items: row.items,
          payment: row.payment,
        },
        {
          till: o.till,
          count: o.count,
          order_time: o.order_time,
          items: o.items,
          payment: o.payment ?? null,
        },
        o.order_id,
      );
    }
    for (const old of rowsBefore) assert.deepEqual({ ...byId.get(old.order_id) }, { ...old, payment: null });
    await Promise.all([cook, oldPreparer, newPreparer].map((s) => s.stop()));
  });

  it('a till whose schema the registry refuses exits 1 with one line naming the subject, the level and the reason, and sends nothing', async () => {
    const shop = isolatedShop('refused');
    const subject = `${shop.topics.orders}-value`;
    // Someone changed `count` to a string and registered it: the till's Order (count an int) cannot read that.
    const changed = {
      ...OrderSchema,
      fields: OrderSchema.fields.map((f) => (f.name === 'count' ? { ...f, type: 'string' } : f)),
    };
    await registry('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(changed) });
    await registry('PUT', `/config/${subject}`, { compatibility: 'BACKWARD' });

    const till = start('till', 'refused-till', ['--orders', '5'], { ...shop.env, TIME_SCALE: '0' });
    assert.equal((await till.exited).code, 1);
    const errors = till.logs().filter((e) => ['warn', 'error', 'fatal'].includes(String(e.level)));
    assert.equal(errors.length, 1, `one line above info, the error: ${JSON.stringify(errors)}`);
    const line = String(errors[0]!.err);
    assert.match(line, new RegExp(`refused the schema for subject ${subject}`));
    assert.match(line, /under BACKWARD compatibility/);
    assert.match(line, /INT not compatible with writer type: STRING|STRING.*INT/);

    const admin = testKafka('test-refused').admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(shop.topics.orders).catch(() => []);
      assert.equal(
        offsets.reduce((n, p) => n + Number(p.high), 0),
        0,
        'nothing on the orders topic',
      );
    } finally {
      await admin.disconnect();
    }
  });

  const cli = (args: string[], env: NodeJS.ProcessEnv) =>
    run(process.execPath, [path.join(repoRoot, 'connectors/dist/cli.js'), ...args], {
      env: { PATH: process.env.PATH, ...endpointsFromEnv(), ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  /** A copy of connectors/schemas with order.avsc changed by `edit`. */
  function brokenCopy(edit: (order: { fields: Record<string, unknown>[] }) => void): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'chippy-schemas-'));
    cpSync(path.join(repoRoot, 'connectors/schemas'), dir, { recursive: true });
    const file = path.join(dir, 'order.avsc');
    const order = JSON.parse(readFileSync(file, 'utf8')) as { fields: Record<string, unknown>[] };
    edit(order);
    writeFileSync(file, JSON.stringify(order));
    return dir;
  }

  it("schemas:check passes the repository's schemas against the registry and fails a broken copy with the reason", async () => {
    const shop = isolatedShop('check');
    // Version 1 is what the registry has, from a till of before the change.
    const till = start('till', 'check-till-v1', ['--orders', '1'], {
      ...shop.env,
      TIME_SCALE: '0',
      ORDER_SCHEMA_VERSION: '1',
    });
    assert.equal((await till.exited).code, 0);
    const subject = `${shop.topics.orders}-value`;

    // `npm run schemas:check` is the build, then this command: run as the script says, against the stack's
    // own shop (no prefix) — on a fresh stack every subject is new — and against this test's subjects.
    const scripts = (
      JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    assert.equal(scripts['schemas:check'], 'npm run build && node connectors/dist/cli.js schemas-check');
    const stack = await cli(['schemas-check'], {});
    assert.equal(stack.code, 0, stack.stdout + stack.stderr);
    assert.match(stack.stdout, /order\.avsc → orders-value: ok/);

    const good = await cli(['schemas-check'], shop.env);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, new RegExp(`order\\.avsc → ${subject}: ok \\(BACKWARD\\)`));
    assert.match(good.stdout, /cooked\.avsc → .*: ok \(no version registered yet\)/);

    // Two classic mistakes: a changed type, and a new field without a default (old orders lack it).
    const changedType = brokenCopy((o) => {
      o.fields.find((f) => f.name === 'count')!.type = 'string';
    });
    const required = brokenCopy((o) => {
      o.fields.push({ name: 'customer', type: 'string' });
    });
    for (const dir of [changedType, required]) {
      const bad = await cli(['schemas-check', '--schemas-dir', dir], shop.env);
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout, new RegExp(`order\\.avsc → ${subject}: INCOMPATIBLE under BACKWARD: .+`));
      assert.match(bad.stdout, /order-ready\.avsc → .*: ok/, 'the other files are still checked');
    }
  });

  it('topics shows the declared settings beside the broker’s, and drift as a warning', async () => {
    const shop = isolatedShop('topics');
    const till = start('till', 'topics-till', ['--orders', '1'], { ...shop.env, TIME_SCALE: '0' });
    assert.equal((await till.exited).code, 0);

    const clean = await cli(['topics'], shop.env);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(
      clean.stdout,
      new RegExp(`^${shop.topics.orders} +retention\\.ms +604800000 \\(7 d\\) +604800000 \\(7 d\\)$`, 'm'),
    );
    assert.doesNotMatch(clean.stdout, new RegExp(`^${shop.topics.orders} .*DRIFT`, 'm'));
    assert.match(clean.stdout, new RegExp(`warning: ${shop.topics.cooked} does not exist yet`));

    const admin = testKafka('test-topics').admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: 2, // TOPIC
            name: shop.topics.orders,
            configEntries: [
              { name: 'retention.ms', value: '3600000' },
              { name: 'cleanup.policy', value: 'delete' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const drifted = await cli(['topics'], shop.env);
    assert.equal(drifted.code, 0, 'drift is a warning');
    assert.match(drifted.stdout, new RegExp(`^${shop.topics.orders} +retention\\.ms .*3600000.*DRIFT$`, 'm'));
    assert.match(drifted.stdout, new RegExp(`warning: ${shop.topics.orders} retention\\.ms is 3600000`));
  });
});
