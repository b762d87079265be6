import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import { createMetrics } from '@chippy/runtime';
import { computeLag, startLagMonitor } from './lag.js';

describe('computeLag', () => {
  it('is the high watermark minus the committed offset', () => {
    assert.equal(computeLag('100', '60'), 40);
    assert.equal(computeLag('100', '100'), 0);
  });

  it('counts everything retained when nothing is committed yet', () => {
    assert.equal(computeLag('100', '-1', '30'), 70);
    assert.equal(computeLag('0', '-1', '0'), 0);
  });
});

describe('startLagMonitor', () => {
  it('sets the gauge per partition and logs failures instead of throwing', async () => {
    const metrics = createMetrics('preparer');
    const { logger, lines } = captureLogger();
    let fail = false;
    const admin = {
      fetchOffsets: () =>
        fail
          ? Promise.reject(new Error('broker gone'))
          : Promise.resolve([
              {
                topic: 'orders',
                partitions: [
                  { partition: 0, offset: '5', metadata: null },
                  { partition: 1, offset: '-1', metadata: null },
                ],
              },
            ]),
      fetchTopicOffsets: () =>
        Promise.resolve([
          { partition: 0, offset: '12', high: '12', low: '0' },
          { partition: 1, offset: '4', high: '4', low: '1' },
        ]),
    };
    const monitor = startLagMonitor({
      admin,
      groupId: 'preparers',
      topics: ['orders'],
      gauge: metrics.consumerLag,
      intervalMs: 10,
      logger,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const values = (await metrics.consumerLag.get()).values.map(({ labels, value }) => [
      labels.partition,
      value,
    ]);
    assert.deepEqual(values, [
      ['0', 7],
      ['1', 3],
    ]);
    fail = true;
    await new Promise((resolve) => setTimeout(resolve, 30));
    await monitor.stop();
    assert.ok(
      lines.some((line) => line.msg === 'could not sample consumer lag' && line.err === 'broker gone'),
    );
  });
});
