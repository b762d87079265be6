// The shop floor at /floor, in Debian's Chromium: the original demos' panels, fed by the shop's topics.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { producerOptions } from '@chippy/kafka';
import {
  cabinetKeys,
  type CookBatch,
  CookBatchSchema,
  shopSerde,
  type Order,
  type OrderReady,
  OrderReadySchema,
  OrderSchema,
} from '@chippy/shop';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { collectProblems, launchChromium } from './harness/browser.js';
import { endpointsFromEnv } from './harness/endpoints.js';
import { testKafka, testLogger } from './harness/kafka.js';
import {
  docsImage,
  httpPortOf,
  joinedCooks,
  joinedPreparers,
  servicesPerFile,
  type RunningService,
} from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';
import { until } from './harness/until.js';

const shop = isolatedShop('floor');
// Demo pace halved: a preparer takes 0.25-0.5 s an order, the cook 1.5 s a batch, long enough to watch.
const env = { ...shop.env, TIME_SCALE: '0.5' };
describe('the shop floor at /floor', () => {
  const start = servicesPerFile();
  let preparers: RunningService[];
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  interface PanelSeen {
    kind: string;
    title: string;
    lines: string[];
    /** The lines highlighted as the clicked order's journey. */
    journey: string[];
  }

  /** Each panel on the page as the user sees it: its kind, title and lines, top to bottom. */
  const readPanels = `[...document.querySelectorAll('[data-testid="panel"]')].map((s) => ({
  kind: s.dataset.kind,
  title: s.querySelector('h2').textContent,
  lines: [...s.querySelectorAll('li')].map((li) => li.textContent),
  journey: [...s.querySelectorAll('li.journey')].map((li) => li.textContent),
}))`;
  const panels = () => page.evaluate<PanelSeen[]>(readPanels);
  type Panels = PanelSeen[];
  const linesOf = (all: Panels, kind: string) => all.filter((p) => p.kind === kind).flatMap((p) => p.lines);

  before(async () => {
    const cook = start('cook', 'floor-cook', [], { ...env, COOK_ID: 'cook-1' });
    preparers = ['preparer-1', 'preparer-2'].map((id) =>
      start('preparer', `floor-${id}`, [], { ...env, PREPARER_ID: id }),
    );
    await Promise.all([joinedCooks(cook), ...preparers.map(joinedPreparers)]);
    const summary = start('summary', 'floor-summary', [], { ...env, SUMMARY_INTERVAL: '1' });
    base = `http://127.0.0.1:${await httpPortOf(summary)}`;
    await summary.waitForLog((e) => e.msg === 'floor reading the shop topics from their end');

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    problems = collectProblems(page);
    await page.goto(`${base}/`);
    await page.getByTestId('floor-link').click();
    await page.waitForURL(`${base}/floor`);
  });

  after(async () => {
    await browser?.close();
    await deleteShops();
  });

  it('each preparer in the group has a panel, and an order from a till goes from its panel to a preparer as ready', async () => {
    await until(
      'two preparer panels and a cook panel',
      panels,
      (all) => all.filter((p) => p.kind === 'preparer').length === 2 && all.some((p) => p.kind === 'cook'),
    );
    const till = start(
      'till',
      'floor-till-a',
      ['--orders', '3', '--till-id', 'till-a', '--plaice', 'false'],
      env,
    );
    assert.deepEqual(await till.exited, { code: 0, signal: null });
    const all = await until('till-a/3 ready', panels, (p) =>
      linesOf(p, 'preparer').some((l) => l.startsWith('Order ready till-a/3:')),
    );
    const tillPanel = all.find((p) => p.title === 'till-a');
    assert.ok(tillPanel, 'a panel for till-a');
    assert.deepEqual(
      tillPanel.lines.map((l) => l.split(':')[0]),
      ['Order till-a/1', 'Order till-a/2', 'Order till-a/3'],
    );
    // Every order is ready in a preparer's panel, whose title is that preparer's own name.
    for (const count of [1, 2, 3]) {
      const holder = all.find((p) => p.lines.some((l) => l.startsWith(`Order ready till-a/${count}:`)));
      assert.match(holder?.title ?? '', /^preparer-[12]$/, `till-a/${count} ready in a named preparer panel`);
    }
  });

  it('a plaice order goes to the cook and finishes after the orders behind it; a click shows its journey', async () => {
    // The cabinet has cod and chips once the cook has restocked; plaice is only ever cooked to order.
    const redis = new Redis(endpointsFromEnv().REDIS_URL);
    try {
      await until(
        'cod and chips in the cabinet',
        () => redis.hgetall(cabinetKeys(shop.prefix).levels),
        (levels) => Number(levels.cod ?? 0) >= 3 && Number(levels.chips ?? 0) >= 4,
      );
    } finally {
      redis.disconnect();
    }
    // One partition, so one preparer takes them in this order: plaice first, then cod & chips.
    const serde = shopSerde({
      registryUri: endpointsFromEnv().SCHEMA_REGISTRY_URI,
      format: 'avro',
      logger: testLogger,
    });
    const encode = await serde.encoder<Order>(shop.topics.orders, OrderSchema);
    const items = [['plaice & chips'], ['cod & chips'], ['cod & chips'], ['chips']];
    const producer = testKafka().producer(producerOptions());
    await producer.connect();
    try {
      await producer.send({
        topic: shop.topics.orders,
        messages: await Promise.all(
          items.map(async (order, i) => {
            const value: Order = {
              order_id: randomUUID(),
              till: 'till-p',
              count: i + 1,
              order_time: Date.now(),
              items: order,
            };
            return { key: value.order_id, value: await encode(value), partition: 0 };
          }),
        ),
      });
    } finally {
      await producer.disconnect();
    }

    await until('the cook cooking till-p/1', panels, (p) =>
      linesOf(p, 'cook').includes('Cooking till-p/1: plaice & chips'),
    );
    const all = await until('till-p/1 ready after the cook, and till-p/4 ready', panels, (p) => {
      const lines = linesOf(p, 'preparer');
      return (
        lines.includes('Order ready till-p/1: plaice & chips') &&
        lines.includes('Order ready till-p/4: chips')
      );
    });
    const cookLines = linesOf(all, 'cook');
    assert.ok(cookLines.includes('Cooked till-p/1: plaice & chips'), cookLines.join('\n'));
    assert.ok(cookLines.includes('Order till-p/1 available'), cookLines.join('\n'));
    // The preparer holding partition 0 sent till-p/1 to the cook and went on with 2, 3 and 4: out of sequence.
    const preparers = all.filter((p) => p.kind === 'preparer');
    const sender = preparers.find((p) => p.lines.includes('COOK till-p/1: plaice & chips'));
    assert.ok(sender, JSON.stringify(preparers.map((p) => p.lines)));
    const at = (text: string) => sender.lines.indexOf(text);
    assert.ok(
      at('Order ready till-p/4: chips') > at('COOK till-p/1: plaice & chips'),
      sender.lines.join('\n'),
    );
    // The cook's reply goes to whichever preparer holds its partition of `cooked` (keyed by order): when that
    // is the same preparer, its ready line comes after the orders that overtook it.
    if (sender.lines.includes('Order ready till-p/1: plaice & chips')) {
      assert.ok(
        at('Order ready till-p/1: plaice & chips') > at('Order ready till-p/4: chips'),
        sender.lines.join('\n'),
      );
    }

    // Clicking the order in its till's panel highlights its lines in the till's, preparer's and cook's panels.
    await page
      .locator('[data-testid="panel"] li', { hasText: 'Order till-p/1: plaice & chips' })
      .first()
      .click();
    const highlighted = await until(
      'the journey highlighted',
      panels,
      (p) => p.filter((panel) => panel.journey.length > 0).length >= 3,
    );
    const journey = highlighted.filter((p) => p.journey.length > 0);
    // Its till's, the cook's and its preparers' panels (two, when the cook's reply went to the other one).
    assert.deepEqual([...new Set(journey.map((p) => p.kind))].sort(), ['cook', 'preparer', 'till']);
    assert.ok(
      journey.every((p) => p.journey.every((l) => l.includes('till-p/1'))),
      JSON.stringify(journey),
    );
    await page.screenshot({ path: docsImage('floor-browser.png') });
  });

  it('a preparer that stops disappears from the floor; the page has logged no error', async () => {
    const stopping = preparers.find((s) => s.name === 'floor-preparer-2');
    assert.ok(stopping);
    assert.deepEqual(await stopping.stop('SIGTERM'), { code: 0, signal: null });
    const all = await until(
      'one preparer panel',
      panels,
      (p) => p.filter((panel) => panel.kind === 'preparer').length === 1,
    );
    assert.ok(!all.some((p) => p.title === 'preparer-2'), 'preparer-2 gone');
    assert.deepEqual(problems, [], 'no console errors');
  });

  // Last: the hostile names' panels stay until idle, which would hold up the test above.
  it('a script in every string an order carries reaches the page as text, never run; the page sends its CSP', async () => {
    const res = await fetch(`${base}/floor`);
    assert.match(
      res.headers.get('content-security-policy') ?? '',
      /script-src 'self'.*frame-ancestors 'none'/,
    );
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    // Items come from the menu alone (anything else is a dead letter): the ids are the free strings.
    const hostile = (n: number) =>
      `<img src=x onerror="window.__xss=${n}"><script>window.__xss=${n}</script>`;
    const [till, preparer, cook] = [hostile(1), hostile(2), hostile(3)];
    const serde = shopSerde({
      registryUri: endpointsFromEnv().SCHEMA_REGISTRY_URI,
      format: 'avro',
      logger: testLogger,
    });
    const encode = await serde.encoder<Order>(shop.topics.orders, OrderSchema);
    const encodeReady = await serde.encoder<OrderReady>(shop.topics.ordersReady, OrderReadySchema);
    const encodeBatch = await serde.encoder<CookBatch>(shop.topics.cookBatches, CookBatchSchema);
    const now = Date.now();
    const value: Order = { order_id: randomUUID(), till, count: 1, order_time: now, items: ['chips'] };
    const ready: OrderReady = { ...value, preparer, prepare_started: now, ready_time: now, cooked: false };
    const batch: CookBatch = {
      batch_id: randomUUID(),
      cook,
      started: now,
      finished: now,
      fried: { chips: 5 },
      orders: [],
    };
    const producer = testKafka().producer(producerOptions());
    await producer.connect();
    try {
      await producer.send({
        topic: shop.topics.orders,
        messages: [{ key: value.order_id, value: await encode(value) }],
      });
      await producer.send({
        topic: shop.topics.ordersReady,
        messages: [{ key: value.order_id, value: await encodeReady(ready) }],
      });
      await producer.send({
        topic: shop.topics.cookBatches,
        messages: [{ key: 'x', value: await encodeBatch(batch) }],
      });
    } finally {
      await producer.disconnect();
    }
    const all = await until('the hostile till, preparer and cook on the floor', panels, (p) =>
      [till, preparer, cook].every((name) => p.some((panel) => panel.title === name)),
    );
    assert.ok(linesOf(all, 'till').includes(`Order ${till}/1: chips`), 'shown as the text it is');
    assert.equal(await page.evaluate<unknown>('window.__xss'), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element made from it');
    assert.deepEqual(problems, [], 'no console errors (a CSP violation is one)');
  });
});
