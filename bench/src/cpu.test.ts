import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuByService, cpuMsPerOrder, shopCpu, sinkCpuPerRow, sinkKeptUp } from './cpu.js';
import type { ShopResult, ServiceUsage } from './shop.js';
import { serviceUsage } from './testing.js';

const use = serviceUsage;

/** A fixed load at 1,250/s, its figures as a run on the native stack records them. */
const load = (usage: ServiceUsage[] = []): ShopResult => ({
  label: 'load-goal',
  tills: 3,
  preparers: 2,
  offered: 1250,
  placedPerSecond: 1250,
  readyPerSecond: 1250,
  latencyMs: { count: 12_500, p50: 5, p95: 9, p99: 12, p999: 15, max: 20 },
  usage: [
    use('till', 0.5, 3),
    use('preparer', 0.25, 2),
    use('kafka broker', 0.125),
    use('schema registry', 0),
    use('redis', 0.0625),
    use('kafka connect', 0),
    use('postgresql', 0.0625, 6),
    use('bench', 0.125),
    use('whole machine', 1.5, 0),
    ...usage,
  ],
});

describe('CPU per order', () => {
  it("a service's CPU s per 1,000 orders is its CPU-ms per order; NaN where it did not run", () => {
    assert.equal(cpuMsPerOrder(load(), 'preparer'), 0.25);
    assert.ok(Number.isNaN(cpuMsPerOrder(load(), 'cook')));
    assert.ok(Number.isNaN(cpuMsPerOrder(undefined, 'till')));
  });

  it("the shop is its processes summed; the bench and the rest of the machine are not the shop's", () => {
    assert.deepEqual(shopCpu(load()), { shop: 1, notFound: [], bench: 0.125, rest: 0.375, machine: 1.5 });
    const withCook = shopCpu(load([use('cook', 0.125)]));
    assert.equal(withCook.shop, 1.125);
  });

  it('a part of the stack not found (another stack) is named, as the sum lacks it', () => {
    const elsewhere = {
      ...load(),
      usage: load().usage.filter((u) => !['kafka broker', 'postgresql'].includes(u.service)),
    };
    const split = shopCpu(elsewhere);
    assert.equal(split.shop, 0.8125);
    assert.deepEqual(split.notFound, ['the Kafka broker', 'PostgreSQL']);
  });

  it('a run from before the bench counted its own CPU: the rest of the machine includes it', () => {
    const old = { ...load(), usage: load().usage.filter((u) => u.service !== 'bench') };
    assert.equal(shopCpu(old).rest, 0.5);
    assert.ok(Number.isNaN(shopCpu(old).bench));
  });

  it('by service, one column a run: the cook listed where it did not run, a part found nowhere left out', () => {
    const light = {
      ...load(),
      label: 'load-250',
      usage: load().usage.map((u) => ({ ...u, cpuPer1000: u.cpuPer1000 * 2 })),
    };
    const withoutRegistry = [light, load()].map((run) => ({
      ...run,
      usage: run.usage.filter((u) => u.service !== 'schema registry'),
    }));
    const rows = cpuByService(withoutRegistry);
    assert.deepEqual(
      rows.map((row) => row[0]),
      [
        'tills',
        'preparers',
        'the cook',
        'the Kafka broker',
        'Redis',
        'Kafka Connect',
        'PostgreSQL',
        '**the shop** (the rows above)',
        'the bench',
        'the rest of the machine',
        'the whole machine',
      ],
    );
    assert.deepEqual(rows[0], ['tills', 1, 0.5]);
    assert.deepEqual(rows[2], ['the cook', Number.NaN, Number.NaN], 'no cook at the fixed loads');
    assert.deepEqual(rows[7], ['**the shop** (the rows above)', 2, 1]);
    assert.deepEqual(rows[10], ['the whole machine', 3, 1.5]);
  });

  it("the sink's CPU per row is its CPU per order made ready scaled by ready/s over rows/s", () => {
    const sunk = { ...load([]), sink: { rowsPerSecond: 625, behind: { start: 10, end: 20 } } };
    assert.deepEqual(
      sinkCpuPerRow({ ...sunk, usage: [use('kafka connect', 0.25), use('postgresql', 0.125)] }),
      {
        connect: 0.5,
        postgresql: 0.25,
      },
    );
    const none = sinkCpuPerRow(load());
    assert.ok(Number.isNaN(none.connect) && Number.isNaN(none.postgresql), 'no sink, no rows');
    const stalled = sinkCpuPerRow({ ...sunk, sink: { rowsPerSecond: 0 } });
    assert.ok(Number.isNaN(stalled.connect), 'no rows written: no figure per row');
  });

  it('the sink kept up when it wrote 95 % or more of the orders placed', () => {
    const sunk = (rowsPerSecond: number) => ({ ...load(), sink: { rowsPerSecond } });
    assert.equal(sinkKeptUp(sunk(1200)), true);
    assert.equal(sinkKeptUp(sunk(1180)), false);
    assert.equal(sinkKeptUp(load()), undefined);
  });
});
