// The default shop, as `npm start` runs it, keeps up with its tills: over a few minutes every order placed
// gets ready at the rate it is placed, and the orders placed but not ready stay under the bound that
// docs/architecture.md ("Keeping up") works out. It runs at TIME_SCALE 0.5: twice the demo pace, with
// every ratio of it (till gaps, preparing and frying times) kept, so it sees what a short burst at
// TIME_SCALE 0 cannot — a cook whose 3-second batches fall behind the tills. (Faster still, the fixed
// cost of each hand-over — a Kafka produce and commit, a few milliseconds — stops being small next to a
// preparer's scaled time, and two preparers no longer keep three tills' pace: see docs/architecture.md.)
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpPortOf, joinedCooks, joinedPreparers, servicesPerTest } from './harness/services.js';
import { deleteShops, duplicatesOf, isolatedShop } from './harness/shop.js';
import { testKafka } from './harness/kafka.js';

describe('the steady state', () => {
  const start = servicesPerTest();
  after(() => deleteShops());

  const TIME_SCALE = 0.5;
  /** docs/architecture.md: about 12 orders wait on average at demo pace; 40 leaves room for bursts. */
  const WAITING_BOUND = 40;
  const WARM_UP_MS = 45_000;
  const WINDOW_MS = 120_000;
  const SAMPLE_MS = 5_000;

  interface Summary {
    preparers: { data: { waiting: { total: number; preparer: number; cook: number } } | null };
    latency: { data: { count: number; p50: number | null; p95: number | null } | null };
  }

  it('the default shop keeps up: ready ≈ placed, and the orders waiting stay bounded', async (t) => {
    const shop = isolatedShop('steady');
    const env = { ...shop.env, TIME_SCALE: String(TIME_SCALE) };
    const cook = start('cook', 'steady-cook', [], { ...env, COOK_ID: 'cook-1' });
    const preparers = [1, 2].map((i) =>
      start('preparer', `steady-preparer-${i}`, [], { ...env, PREPARER_ID: `preparer-${i}` }),
    );
    const summary = start('summary', 'steady-summary', [], { ...env, SUMMARY_INTERVAL: '1' });
    await Promise.all([joinedCooks(cook), ...preparers.map(joinedPreparers)]);
    const tills = [1, 2, 3].map((i) =>
      start('till', `steady-till-${i}`, ['--plaice', 'true', '--till-id', `till-${i}`], env),
    );

    const admin = testKafka('steady-state').admin();
    await admin.connect();
    const ends = async (topic: string) =>
      (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const counts = async () => {
      const [placed, ready] = await Promise.all([ends(shop.topics.orders), ends(shop.topics.ordersReady)]);
      return { placed, ready };
    };
    try {
      await sleep(WARM_UP_MS);
      const first = await counts();
      let mostWaiting = 0;
      for (let waited = 0; waited < WINDOW_MS; waited += SAMPLE_MS) {
        await sleep(SAMPLE_MS);
        const now = await counts();
        mostWaiting = Math.max(mostWaiting, now.placed - now.ready);
      }
      const last = await counts();
      const placed = last.placed - first.placed;
      const ready = last.ready - first.ready;
      const perMinute = (n: number) => Math.round((n * 60_000) / WINDOW_MS);
      const figures = `placed ${perMinute(placed)}/min, ready ${perMinute(ready)}/min, most waiting ${mostWaiting}`;
      t.diagnostic(`at TIME_SCALE ${TIME_SCALE}: ${figures}`);
      // Three tills place about 0.8 orders a second each, 1 / TIME_SCALE times as fast here.
      const expected = (0.8 * 3 * (WINDOW_MS / 1000)) / TIME_SCALE;
      assert.ok(placed > 0.85 * expected, `the tills placed too few: ${figures}`);
      assert.ok(Math.abs(ready - placed) <= 0.05 * placed, `ready within 5 % of placed: ${figures}`);
      assert.ok(mostWaiting <= WAITING_BOUND, `orders waiting stay under ${WAITING_BOUND}: ${figures}`);

      // The summary shows the same: where the orders wait, and how long an order takes.
      const base = `http://127.0.0.1:${await httpPortOf(summary)}`;
      const view = (await (await fetch(`${base}/api/summary`)).json()) as Summary;
      const waiting = view.preparers.data?.waiting;
      assert.ok(waiting && waiting.total <= WAITING_BOUND, `summary's waiting: ${JSON.stringify(waiting)}`);
      assert.equal(waiting.preparer + waiting.cook, waiting.total);
      const latency = view.latency.data;
      assert.ok(latency && latency.count > 0 && latency.p50 !== null && latency.p95 !== null);
      assert.ok(latency.p50 <= latency.p95, JSON.stringify(latency));
      t.diagnostic(`summary: waiting ${JSON.stringify(waiting)}, latency ${JSON.stringify(latency)}`);

      // Closing: the tills stop, and every order they placed is ready exactly once.
      await Promise.all(tills.map((till) => till.stop('SIGTERM')));
      const orders = await shop.orders((await counts()).placed);
      const { ready: handed } = await shop.ready(orders.map((o) => o.order_id));
      assert.deepEqual(duplicatesOf(handed.map((r) => r.order_id)), [], 'no order handed over twice');
      assert.ok(
        orders.some((o) => o.items.includes('plaice & chips')) && handed.some((r) => r.cooked),
        'plaice orders went through the cook',
      );
    } finally {
      await admin.disconnect();
    }
  });
});
