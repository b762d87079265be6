import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLatencyWindow } from './latency.js';
import { summarySources } from './sources.js';

describe('summarySources', () => {
  it('reads each part from its own client: the totals from PostgreSQL, the prefixed cabinet, the window', async () => {
    const keys: string[] = [];
    const latency = createLatencyWindow(60_000);
    latency.add(Date.now() - 2000, Date.now());
    const sources = summarySources(
      {
        pool: {
          connect: () =>
            Promise.resolve({
              query: <R>(text: string) =>
                Promise.resolve({
                  rows: (/count\(\*\) as orders from/.test(text) ? [{ orders: 9 }] : []) as R[],
                }),
              release: () => undefined,
            }),
        },
        redis: { status: 'ready', hgetall: (key) => (keys.push(key), Promise.resolve({ cod: '3' })) },
        admin: {
          connect: () => Promise.reject(new Error('no broker here')),
          listTopics: () => Promise.reject(new Error('not reached')),
          describeGroups: () => Promise.reject(new Error('not reached')),
          fetchOffsets: () => Promise.reject(new Error('not reached')),
          fetchTopicOffsets: () => Promise.reject(new Error('not reached')),
        },
        latency,
      },
      {
        prefix: 'shop1-',
        names: { group: 'preparers', orders: 'orders', ordersReady: 'orders-ready' },
        onPostgresRead: () => undefined,
      },
    );
    assert.equal((await sources.totals.read()).orders, 9);
    assert.deepEqual(await sources.cabinet.read(), { cod: 3, chips: 0, plaice: 0 });
    assert.deepEqual(keys, ['shop1-cabinet']);
    await assert.rejects(sources.preparers.read(), /no broker here/);
    assert.deepEqual((await sources.latency.read()).count, 1);
  });
});
