import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTopics } from '@chippy/kafka';
import { compareTopics, defaultPartitions, topicDeclarations, topicNames, topicSpecs } from './topics.js';

describe('topicNames', () => {
  it('prefixes every topic', () => {
    assert.deepEqual(topicNames('t1-'), {
      orders: 't1-orders',
      cookRequests: 't1-cook-requests',
      cooked: 't1-cooked',
      ordersReady: 't1-orders-ready',
      ordersDlq: 't1-orders-dlq',
      cookBatches: 't1-cook-batches',
    });
    assert.equal(defaultPartitions.orders, 6);
  });
});

describe('topic declarations', () => {
  it('declare partitions, cleanup policy and retention of every topic, and which record its values carry', () => {
    assert.deepEqual(Object.keys(topicDeclarations).sort(), Object.keys(topicNames('')).sort());
    assert.equal(topicDeclarations.orders.valueSchema, 'Order');
    assert.equal(topicDeclarations.ordersDlq.valueSchema, undefined);
    assert.equal(defaultPartitions.orders, topicDeclarations.orders.partitions);
  });

  it('are what a service creates, with ORDERS_PARTITIONS overriding the orders topic only', () => {
    assert.deepEqual(topicSpecs('p-', ['orders', 'ordersDlq'], 3), [
      {
        topic: 'p-orders',
        numPartitions: 3,
        configEntries: [
          { name: 'cleanup.policy', value: 'delete' },
          { name: 'retention.ms', value: '604800000' },
        ],
      },
      {
        topic: 'p-orders-dlq',
        numPartitions: 3,
        configEntries: [
          { name: 'cleanup.policy', value: 'delete' },
          { name: 'retention.ms', value: '2592000000' },
        ],
      },
    ]);
  });
});

describe('compareTopics', () => {
  const asDeclared = (partitions: number) => ({
    partitions,
    replicationFactor: 1,
    configs: { 'cleanup.policy': 'delete', 'retention.ms': '604800000' },
  });

  it('marks each setting that differs, and every setting of a missing topic', () => {
    const rows = compareTopics('', 1, (topic) => {
      if (topic === 'orders') return asDeclared(12);
      if (topic === 'orders-dlq') return undefined;
      if (topic === 'orders-ready')
        return { ...asDeclared(3), configs: { 'cleanup.policy': 'compact', 'retention.ms': '604800000' } };
      return asDeclared(3);
    });
    const drift = rows.filter((r) => r.drift).map((r) => `${r.topic} ${r.setting} ${r.declared}→${r.actual}`);
    assert.deepEqual(drift, [
      'orders partitions 6→12',
      'orders-ready cleanup.policy delete→compact',
      'orders-dlq partitions 3→missing',
      'orders-dlq replication 1→missing',
      'orders-dlq cleanup.policy delete→missing',
      'orders-dlq retention.ms 2592000000→missing',
    ]);
  });

  it('takes the ORDERS_PARTITIONS override as the declared count', () => {
    const rows = compareTopics('', 1, () => asDeclared(3), 3);
    assert.ok(!rows.some((r) => r.topic === 'orders' && r.drift));
  });
});

describe('describeTopics', () => {
  it("reads partitions, replicas and the two configs of the shop's existing topics", async () => {
    const admin = {
      listTopics: () => Promise.resolve(['x-orders', 'other']),
      fetchTopicMetadata: ({ topics }: { topics: string[] }) => {
        assert.deepEqual(topics, ['x-orders']);
        const partition = { replicas: [1, 2, 3] };
        return Promise.resolve({ topics: [{ name: 'x-orders', partitions: [partition, partition] }] });
      },
      describeConfigs: () =>
        Promise.resolve({
          resources: [
            {
              resourceName: 'x-orders',
              configEntries: [
                { configName: 'cleanup.policy', configValue: 'delete' },
                { configName: 'retention.ms', configValue: '1000' },
              ],
            },
          ],
        }),
    } as unknown as Parameters<typeof describeTopics>[0];
    assert.deepEqual(Object.fromEntries(await describeTopics(admin, Object.values(topicNames('x-')))), {
      'x-orders': {
        partitions: 2,
        replicationFactor: 3,
        configs: { 'cleanup.policy': 'delete', 'retention.ms': '1000' },
      },
    });
  });
});
