// Homework 2: the summary reads what the JDBC sink wrote to PostgreSQL and shows it, live, in a browser.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { collectProblems, launchChromium } from './harness/browser.js';
import { dropDatabases, isolatedDatabase, query } from './harness/database.js';
import {
  httpPortOf,
  outputDir,
  servicesPerTest,
  startService,
  type RunningService,
} from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';
import { deleteSinks, deploySink } from './harness/sink.js';
import { until } from './harness/until.js';

describe('the summary', () => {
  const start = servicesPerTest();
  const shop = isolatedShop('summary');
  let db: { url: string };
  let summary: RunningService;
  let base: string;

  interface Summary {
    totals: {
      status: string;
      data: {
        orders: number;
        portions: { cod: number; chips: number; plaice: number };
        tills: { till: string; orders: number }[];
      } | null;
    };
  }

  const getSummary = async () => (await (await fetch(`${base}/api/summary`)).json()) as Summary;

  /** What the test itself computes from PostgreSQL, independently of the summary's queries. */
  async function fromSql(url: string) {
    const [portions] = await query<{ cod: string; chips: string; plaice: string }>(
      url,
      `select
       coalesce(sum(case i when 'cod & chips' then 1 else 0 end), 0) as cod,
       coalesce(sum(case i when 'cod & chips' then 1 when 'chips & chips' then 2 when 'chips' then 1
                           when 'plaice & chips' then 1 else 0 end), 0) as chips,
       coalesce(sum(case i when 'plaice & chips' then 1 else 0 end), 0) as plaice
     from "orders", unnest("items") as i`,
    );
    const tills = await query<{ till: string; orders: string }>(
      url,
      'select "till", count(*) as orders from "orders" group by "till" order by "till"',
    );
    const [{ count } = { count: '0' }] = await query<{ count: string }>(url, 'select count(*) from "orders"');
    return {
      orders: Number(count),
      portions: {
        cod: Number(portions!.cod),
        chips: Number(portions!.chips),
        plaice: Number(portions!.plaice),
      },
      tills: tills.map((t) => ({ till: t.till, orders: Number(t.orders) })),
    };
  }

  async function placeOrders(tillId: string, count: number) {
    const till = start(
      'till',
      `summary-${tillId}`,
      ['--orders', String(count), '--till-id', tillId, '--plaice'],
      {
        ...shop.env,
        TIME_SCALE: '0',
      },
    );
    assert.deepEqual(await till.exited, { code: 0, signal: null });
  }

  before(async () => {
    db = await isolatedDatabase('summary');
    await deploySink(shop.prefix, db.url, 'avro');
    // Started here, not per test, so it lives across both tests.
    summary = startService('summary', 'summary', [], {
      ...shop.env,
      DATABASE_URL: db.url,
      SUMMARY_INTERVAL: '1',
    });
    base = `http://127.0.0.1:${await httpPortOf(summary)}`;
  });

  after(async () => {
    await summary.stop();
    await deleteSinks();
    await deleteShops();
    await dropDatabases();
  });

  it('/api/summary shows what SQL says is in the table the sink filled', async () => {
    await placeOrders('till-1', 25);
    await placeOrders('till-2', 15);
    await until(
      'rows',
      () => fromSql(db.url),
      (s) => s.orders === 40,
    );
    const expected = await fromSql(db.url);
    const shown = await until('summary', getSummary, (s) => s.totals.data?.orders === 40);
    assert.equal(shown.totals.status, 'ok');
    assert.deepEqual(shown.totals.data?.portions, expected.portions);
    assert.deepEqual(
      shown.totals.data?.tills
        .map((t) => ({ till: t.till, orders: t.orders }))
        .sort((a, b) => a.till.localeCompare(b.till)),
      expected.tills,
    );
    assert.ok(expected.portions.plaice > 0 || expected.portions.cod > 0, 'the orders carry food');
  });

  it('the live page in Chromium: no console errors, the totals, and new orders appear without a reload', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = collectProblems(page);
      await page.goto(base);
      const before = await fromSql(db.url);
      const total = page.getByTestId('total-orders');
      await until(
        'page total',
        () => total.getAttribute('data-value'),
        (v) => v === String(before.orders),
      );
      for (const item of ['cod', 'chips', 'plaice'] as const) {
        assert.equal(
          await page.getByTestId(`portions-${item}`).getAttribute('data-value'),
          String(before.portions[item]),
          `${item} on the page`,
        );
      }
      for (const { till, orders } of before.tills) {
        assert.equal(
          await page.locator(`[data-testid="till-orders"][data-till="${till}"]`).getAttribute('data-value'),
          String(orders),
          `${till} on the page`,
        );
      }
      // A mark on this document: still there afterwards means the numbers changed without a reload.
      await page.evaluate('window.chippyMark = "kept"');
      await placeOrders('till-3', 10);
      await until(
        'page total after new orders',
        () => total.getAttribute('data-value'),
        (v) => v === String(before.orders + 10),
      );
      assert.equal(await page.evaluate('window.chippyMark'), 'kept', 'the same document: no reload');
      assert.ok(await page.locator('[data-testid="till-orders"][data-till="till-3"]').isVisible());
      await page.screenshot({ path: path.join(outputDir, 'summary-page.png'), fullPage: true });
      assert.deepEqual(problems, [], 'no console errors');
    } finally {
      await browser?.close();
    }
  });
});
