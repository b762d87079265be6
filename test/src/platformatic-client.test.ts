// KAFKA_CLIENT=platformatic: the shop runs on @platformatic/kafka behind the kafkajs-shaped factory. A
// till, two preparers and a cook on it hand every order over once; DELIVERY=exactly-once, whose
// transactions the adapter does not bridge, is refused before anything starts.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { joinedCooks, joinedPreparers, servicesPerTest } from './harness/services.js';
import { deleteShops, duplicatesOf, isolatedShop } from './harness/shop.js';

describe('KAFKA_CLIENT=platformatic', () => {
  const start = servicesPerTest();
  after(() => deleteShops());

  it('KAFKA_CLIENT=platformatic: every order placed is ready once', async () => {
    const shop = isolatedShop('platformatic');
    const env = { ...shop.env, TIME_SCALE: '0', KAFKA_CLIENT: 'platformatic' };
    const cook = start('cook', 'platformatic-cook', [], env);
    const preparers = [1, 2].map((i) =>
      start('preparer', `platformatic-preparer-${i}`, [], { ...env, PREPARER_ID: `p${i}` }),
    );
    await Promise.all([joinedCooks(cook), ...preparers.map(joinedPreparers)]);
    const till = start('till', 'platformatic-till', ['--orders', '300', '--rate', '150'], env);
    assert.equal((await till.exited).code, 0);

    const orders = await shop.orders(300);
    assert.equal(orders.length, 300);
    const { ready } = await shop.ready(orders.map((o) => o.order_id));
    assert.deepEqual(duplicatesOf(ready.map((r) => r.order_id)), []);
    assert.equal(ready.length, orders.length);
    for (const s of [cook, ...preparers]) {
      assert.equal(s.process.exitCode, null, `${s.name} still running`);
      assert.deepEqual(
        s.logs().filter((e) => e.msg === 'consumer crashed' || e.level === 'error'),
        [],
        `${s.name}: no consumer crash, no error line`,
      );
    }
  });

  it('KAFKA_CLIENT=platformatic with DELIVERY=exactly-once: one line naming both, exit code 2', async () => {
    const preparer = start('preparer', 'platformatic-exactly-once', [], {
      KAFKA_CLIENT: 'platformatic',
      DELIVERY: 'exactly-once',
    });
    assert.equal((await preparer.exited).code, 2);
    assert.equal(preparer.lines.length, 1, preparer.lines.join(' / '));
    assert.match(
      preparer.lines[0]!,
      /^preparer: KAFKA_CLIENT=platformatic \(--kafka-client\) cannot run DELIVERY=exactly-once \(--delivery\): /,
    );
  });
});
