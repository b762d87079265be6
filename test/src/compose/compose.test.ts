// The Compose file users run, run as they run it: `docker compose up -d --build --scale till=3 --scale
// preparer=2` from the repository root (Debian's docker-compose 1.29 where Compose v2 is not installed),
// on whatever Docker API the machine has — Docker's, or podman's served by the harness. What a user would
// check: every service healthy, orders flowing once each into PostgreSQL and the page, Prometheus scraping
// every replica, a scale-up, a killed service restarted, data kept across down/up and gone after down -v.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';
import type { Admin } from 'kafkajs';
import { collectProblems, launchChromium } from '../harness/browser.js';
import {
  ComposeProject,
  hostPorts,
  provideComposeImages,
  type ExpectedServices,
} from '../harness/compose.js';
import { openEngineForTest, type ContainerEngine } from '../harness/container-engine.js';
import { testKafka } from '../harness/kafka.js';
import { docsImage } from '../harness/services.js';
import { readTopic } from '../harness/topics.js';
import { until } from '../harness/until.js';

const log = (line: string) => console.error(`compose: ${line}`);
const upArgs = (preparers: number) => [
  'up',
  '-d',
  '--build',
  '--scale',
  'till=3',
  '--scale',
  `preparer=${preparers}`,
];

const oneShots = ['chippy-image', 'kafka-jmx-agent', 'connect-setup'];
const chippyServices = ['till', 'preparer', 'cook', 'summary', 'connect-watch'];

let engine: ContainerEngine | undefined;
let missing: string | undefined;
let project: ComposeProject;
let ports: Awaited<ReturnType<typeof hostPorts>>;
let withDashboards = false;
let admin: Admin | undefined;
/** Set once the shop is up; the later tests build on it and skip, saying so, when it never came up. */
let cameUp = false;

const summaryUrl = () => `http://127.0.0.1:${ports.SUMMARY_HOST_PORT}`;
const prometheusUrl = () => `http://127.0.0.1:${ports.PROMETHEUS_HOST_PORT}`;

function expected(preparers: number): ExpectedServices {
  return {
    healthy: {
      kafka: 1,
      registry: 1,
      connect: 1,
      postgres: 1,
      redis: 1,
      prometheus: 1,
      'connect-watch': 1,
      till: 3,
      preparer: preparers,
      cook: 1,
      summary: 1,
      ...(withDashboards ? { grafana: 1, 'kafka-exporter': 1 } : {}),
    },
    completed: oneShots,
  };
}

const healthy = (preparers: number, timeoutMs: number) => project.healthy(expected(preparers), timeoutMs);

async function prometheus<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(`${prometheusUrl()}${pathAndQuery}`);
  const body = (await response.json()) as { status: string; data: T };
  assert.equal(body.status, 'success', pathAndQuery);
  return body.data;
}

/** The keys (order ids) of a topic, read from its beginning until `enough` of them. */
async function keysOf(
  topic: string,
  enough: (keys: string[]) => boolean,
  timeoutMs = 180_000,
): Promise<string[]> {
  const messages = await readTopic(topic, (m) => enough(m.map((x) => x.key ?? '')), {
    timeoutMs,
    settleMs: 3000,
  });
  return messages.map((m) => m.key ?? '');
}

const isOrderId = (key: string) => /^[0-9a-f-]{36}$/.test(key);

async function kafkaAdmin(): Promise<Admin> {
  if (!admin) {
    admin = testKafka('compose-test-admin').admin();
    await admin.connect();
  }
  return admin;
}

/** Every key on a topic now: read until as many messages as its partitions hold. */
async function allKeys(topic: string): Promise<string[]> {
  const offsets = await (await kafkaAdmin()).fetchTopicOffsets(topic);
  const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  return keysOf(topic, (k) => k.length >= total, 120_000);
}

async function groupMembers(group: string): Promise<number> {
  const { groups } = await (await kafkaAdmin()).describeGroups([group]);
  return groups[0]?.state === 'Stable' ? groups[0].members.length : -1;
}

describe('docker compose up -d --build --scale till=3 --scale preparer=2', { timeout: 45 * 60_000 }, () => {
  before(async () => {
    const lookup = await openEngineForTest(log);
    if ('missing' in lookup) {
      missing = lookup.missing;
      return;
    }
    engine = lookup.engine;
    const images = await provideComposeImages(engine, ['compose.yaml'], log);
    withDashboards = images.withDashboards;
    if (!withDashboards)
      log(
        `the "dashboards" profile (Grafana, kafka-exporter) is left out: no registry serves ${images.lacking.join(', ')} here ` +
          "and they have no stand-in; the Grafana dashboard's queries are run against Prometheus instead",
      );
    ports = await hostPorts();
    project = new ComposeProject(engine, 'chippy-compose-test', {
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      COMPOSE_PROFILES: withDashboards ? 'dashboards' : 'none',
    });
    process.env.KAFKA_SERVICE_URI = `127.0.0.1:${ports.KAFKA_HOST_PORT}`;
    log(`host ports ${JSON.stringify(ports)}`);
    await project.run(['down', '-v', '--remove-orphans']);
  });

  after(async () => {
    await admin?.disconnect().catch(() => undefined);
    if (!engine) return;
    // The containers' logs, for a run that failed before its last test wrote them.
    if ((await project.containers()).length > 0) await project.logsTo('compose-logs').catch(() => undefined);
    await project.run(['down', '-v', '--remove-orphans']).catch((e: Error) => log(`down -v: ${e.message}`));
    await engine.close();
  });

  it('comes up: every service healthy, 3 tills, 2 preparers, a cook and the summary', async (t) => {
    if (missing) return t.skip(missing);
    const started = Date.now();
    await project.run(upArgs(2), 30 * 60_000);
    const built = (Date.now() - started) / 1000;
    const seconds = await healthy(2, 15 * 60_000);
    log(
      `\`up -d --build\` returned in ${built.toFixed(0)} s (images built, containers created); healthy ${seconds.toFixed(0)} s later`,
    );
    const containers = await project.containers();
    for (const [service, replicas] of Object.entries({ till: 3, preparer: 2, cook: 1, summary: 1 }))
      assert.equal(
        containers.filter((c) => c.service === service && c.status === 'running').length,
        replicas,
        service,
      );
    cameUp = true;
  });

  it('orders flow: Prometheus scrapes every replica and the broker, and the dashboard has data', async (t) => {
    if (missing) return t.skip(missing);
    if (!cameUp) return t.skip('the shop did not come up');
    // One undecodable message, so the dead-letter path (and its dashboard panel) is exercised too.
    const producer = testKafka('compose-test').producer();
    await producer.connect();
    await producer.send({
      topic: 'orders',
      messages: [{ key: 'not-an-order', value: Buffer.from('garbage') }],
    });
    await producer.disconnect();

    const wanted = {
      till: 3,
      preparer: 2,
      cook: 1,
      summary: 1,
      'connect-watch': 1,
      kafka: 1,
      connect: 1,
      prometheus: 1,
    };
    type Targets = { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    const targets = await until(
      'Prometheus targets up',
      () => prometheus<Targets>('/api/v1/targets?state=active'),
      (d) =>
        Object.entries(wanted).every(
          ([job, n]) => d.activeTargets.filter((x) => x.labels.job === job && x.health === 'up').length === n,
        ),
      { timeoutMs: 120_000, everyMs: 3000 },
    );
    const byJob = Object.fromEntries(
      Object.keys(wanted).map((job) => [
        job,
        targets.activeTargets.filter((x) => x.labels.job === job).length,
      ]),
    );
    log(`Prometheus targets up: ${JSON.stringify(byJob)}`);

    // Every query of every panel of the Grafana dashboard returns data (rates need a minute of samples).
    const dashboard = JSON.parse(
      readFileSync(path.join(repoRoot, 'deploy/compose/grafana/dashboards/chippy.json'), 'utf8'),
    ) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const exporterMetric = /\bkafka_(topic|consumergroup)_/;
    const queries = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((x) => ({ title: p.title, expr: x.expr })),
    );
    const notRun = queries.filter((q) => !withDashboards && exporterMetric.test(q.expr));
    for (const q of notRun) log(`dashboard query not checked (kafka-exporter is left out): ${q.expr}`);
    const run = queries.filter((q) => !notRun.includes(q));
    const empty = await until(
      'every dashboard query has data',
      async () => {
        const results = await Promise.all(
          run.map(async (q) => ({
            q,
            n: (await prometheus<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(q.expr)}`))
              .result.length,
          })),
        );
        return results.filter((r) => r.n === 0).map((r) => `${r.q.title}: ${r.q.expr}`);
      },
      (e) => e.length === 0,
      { timeoutMs: 180_000, everyMs: 5000 },
    );
    assert.deepEqual(empty, []);
    log(`dashboard: ${run.length} queries return data, ${notRun.length} not checked`);
  });

  it('--scale preparer=3 while orders flow: the group rebalances to three members', async (t) => {
    if (missing) return t.skip(missing);
    if (!cameUp) return t.skip('the shop did not come up');
    await project.run(['up', '-d', '--no-recreate', '--scale', 'till=3', '--scale', 'preparer=3']);
    await healthy(3, 5 * 60_000);
    const members = await until(
      'three preparers in the group',
      () => groupMembers('preparers'),
      (n) => n === 3,
      {
        timeoutMs: 120_000,
        everyMs: 2000,
      },
    );
    log(`group "preparers": ${members} members after --scale preparer=3`);
    const targets = await until(
      'Prometheus scrapes the third preparer',
      () =>
        prometheus<{ activeTargets: { labels: { job: string }; health: string }[] }>(
          '/api/v1/targets?state=active',
        ),
      (d) => d.activeTargets.filter((x) => x.labels.job === 'preparer' && x.health === 'up').length === 3,
      { timeoutMs: 60_000, everyMs: 3000 },
    );
    assert.ok(targets);
  });

  it('a service killed (kill -s KILL) is restarted by its restart policy, and the shop goes on', async (t) => {
    if (missing) return t.skip(missing);
    if (!cameUp) return t.skip('the shop did not come up');
    const cook = (await project.containers()).find((c) => c.service === 'cook' && c.status === 'running');
    assert.ok(cook, 'a running cook');
    const readyBefore = (await allKeys('orders-ready')).length;
    // The container's main process, killed as the kernel's OOM killer would: no chance to clean up.
    execFileSync('kill', ['-s', 'KILL', String(cook.pid)]);
    const restarted = await until(
      'the cook restarted',
      async () => (await project.containers()).find((c) => c.id === cook.id),
      (c) => c !== undefined && c.status === 'running' && c.startedAt !== cook.startedAt,
      { timeoutMs: 120_000, everyMs: 1000 },
    );
    log(`cook restarted by its restart policy (restarts: ${restarted?.restartCount})`);
    await healthy(3, 3 * 60_000);
    await keysOf('orders-ready', (k) => k.length > readyBefore + 10, 180_000);
  });

  it('every order is ready exactly once on orders-ready, is one row in PostgreSQL, and the page agrees', async (t) => {
    if (missing) return t.skip(missing);
    if (!cameUp) return t.skip('the shop did not come up');
    await project.run(['stop', 'till']);
    const tills = (await project.containers()).filter((c) => c.service === 'till');
    assert.deepEqual(
      tills.map((c) => c.exitCode),
      tills.map(() => 0),
      'each till exits 0 on SIGTERM',
    );
    const placed = (await allKeys('orders')).filter(isOrderId);
    const orderIds = new Set(placed);
    assert.equal(orderIds.size, placed.length, 'each order is on orders once');
    const ready = await keysOf('orders-ready', (k) => new Set(k).size >= orderIds.size, 300_000);
    const seen = new Map<string, number>();
    for (const id of ready) seen.set(id, (seen.get(id) ?? 0) + 1);
    assert.deepEqual(
      [...orderIds].filter((id) => seen.get(id) !== 1),
      [],
      'every order ready exactly once',
    );
    assert.deepEqual(
      [...seen.keys()].filter((id) => !orderIds.has(id)),
      [],
      'nothing ready that was not ordered',
    );

    const rows = await until(
      'a row per order',
      async () => (await project.sql('select order_id from orders')).map(([id]) => id!),
      (r) => r.length >= orderIds.size,
      { timeoutMs: 180_000, everyMs: 3000 },
    );
    assert.deepEqual(new Set(rows), orderIds, 'the rows are the orders');
    assert.equal(rows.length, orderIds.size, 'one row each');

    const [[count, cod, chips, plaice]] = (await project.sql(
      `select (select count(*) from orders),
              coalesce(sum(case i when 'cod & chips' then 1 else 0 end), 0),
              coalesce(sum(case i when 'cod & chips' then 1 when 'chips & chips' then 2 when 'chips' then 1
                                  when 'plaice & chips' then 1 else 0 end), 0),
              coalesce(sum(case i when 'plaice & chips' then 1 else 0 end), 0)
       from orders, unnest(items) as i`,
    )) as [[string, string, string, string]];
    type Summary = { totals: { data: { orders: number; portions: Record<string, number> } | null } };
    const shown = await until(
      '/api/summary shows every row',
      async () => (await (await fetch(`${summaryUrl()}/api/summary`)).json()) as Summary,
      (s) => s.totals.data?.orders === Number(count),
      { timeoutMs: 60_000, everyMs: 2000 },
    );
    assert.deepEqual(shown.totals.data?.portions, {
      cod: Number(cod),
      chips: Number(chips),
      plaice: Number(plaice),
    });

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = collectProblems(page);
      await page.goto(summaryUrl());
      await until(
        'the page total',
        () => page.getByTestId('total-orders').getAttribute('data-value'),
        (v) => v === count,
        { timeoutMs: 30_000 },
      );
      await page.screenshot({ path: docsImage('compose-summary.png'), fullPage: true });
      assert.deepEqual(problems, [], 'no console errors');
    } finally {
      await browser.close();
    }
    log(
      `${orderIds.size} orders placed, each ready once and one row; /api/summary and the page show ${count}`,
    );
  });

  it('stop and start again: the data is still there; down -v removes it', async (t) => {
    if (missing) return t.skip(missing);
    if (!cameUp) return t.skip('the shop did not come up');
    const [[rowsBefore]] = (await project.sql('select count(*) from orders')) as [[string]];
    await project.run(['stop']);
    const stopped = (await project.containers()).filter((c) => chippyServices.includes(c.service));
    assert.deepEqual(
      stopped.filter((c) => c.exitCode !== 0).map((c) => `${c.name} exited ${c.exitCode}`),
      [],
      'every chippy service exits 0 when stopped (SIGTERM)',
    );
    await project.run(['down']);
    assert.ok((await project.volumes()).length > 0, 'down keeps the volumes');

    const started = Date.now();
    await project.run(upArgs(2), 30 * 60_000);
    const seconds = await healthy(2, 10 * 60_000);
    log(
      `healthy again ${((Date.now() - started) / 1000).toFixed(0)} s after the second \`up\` (${seconds.toFixed(0)} s after it returned)`,
    );
    const [[rowsAfter]] = (await project.sql('select count(*) from orders')) as [[string]];
    assert.ok(Number(rowsAfter) >= Number(rowsBefore), `rows kept: ${rowsBefore} before, ${rowsAfter} after`);
    // New orders still flow through the same registry ids, broker data and sink.
    await until(
      'new rows after the restart',
      async () => Number((await project.sql('select count(*) from orders'))[0]![0]),
      (n) => n >= Number(rowsBefore) + 10,
      { timeoutMs: 180_000, everyMs: 5000 },
    );
    await project.logsTo('compose-logs');
    await project.run(['down', '-v']);
    assert.deepEqual(await project.volumes(), [], 'down -v removes the volumes');
    log(`rows: ${rowsBefore} before down, ${rowsAfter} after up again; volumes gone after down -v`);
  });
});
