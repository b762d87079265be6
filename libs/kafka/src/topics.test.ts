import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import type { ITopicConfig } from 'kafkajs';
import {
  compareTopics,
  defaultPartitions,
  describeTopics,
  ensureTopics,
  leadersElected,
  topicDeclarations,
  topicNames,
  topicSpecs,
} from './topics.js';

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

/** Metadata in which every topic asked for has one partition with a leader. */
const led = {
  fetchTopicMetadata: ({ topics }: { topics: string[] }) =>
    Promise.resolve({
      topics: topics.map((name) => ({
        name,
        partitions: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1] }],
      })),
    }),
};

describe('ensureTopics', () => {
  it('creates only the missing topics, waiting for leaders', async () => {
    const calls: { topics: ITopicConfig[]; waitForLeaders?: boolean }[] = [];
    const admin = {
      ...led,
      listTopics: () => Promise.resolve(['orders']),
      createTopics: (request: { topics: ITopicConfig[]; waitForLeaders?: boolean }) => {
        calls.push(request);
        return Promise.resolve(true);
      },
    };
    const { logger } = captureLogger();
    const wanted = [
      { topic: 'orders', numPartitions: 6 },
      { topic: 'cooked', numPartitions: 3 },
    ];
    await ensureTopics(admin, wanted, 3, logger);
    assert.deepEqual(calls, [
      { topics: [{ topic: 'cooked', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true },
    ]);

    calls.length = 0;
    await ensureTopics(
      { ...admin, listTopics: () => Promise.resolve(['orders', 'cooked']) },
      wanted,
      3,
      logger,
    );
    assert.deepEqual(calls, []);
  });

  it('creates the rest when another service created some of them at the same moment', async () => {
    let existing = ['orders'];
    const created: string[][] = [];
    const admin = {
      ...led,
      listTopics: () => Promise.resolve(existing),
      createTopics: ({ topics }: { topics: ITopicConfig[] }) => {
        if (created.length === 0) {
          existing = [...existing, 'cooked', 'orders-ready']; // the other service won the race
          created.push([]);
          const error = Object.assign(new Error('Topic creation errors'), {
            errors: [{ type: 'TOPIC_ALREADY_EXISTS' }],
          });
          return Promise.reject(error);
        }
        created.push(topics.map((t) => t.topic));
        return Promise.resolve(true);
      },
    };
    const { logger, lines } = captureLogger();
    const wanted = ['orders', 'cooked', 'orders-ready', 'orders-dlq'].map((topic) => ({
      topic,
      numPartitions: 3,
    }));
    await ensureTopics(admin, wanted, 1, logger);
    assert.deepEqual(created, [[], ['orders-dlq']]);
    assert.ok(
      lines.every((e) => e.level !== 'warn' && e.level !== 'error'),
      'a normal event, not a warning',
    );
  });

  it('waits for the leaders of topics another service has just created', async () => {
    let looks = 0;
    const admin = {
      listTopics: () => Promise.resolve(['orders']),
      createTopics: () => Promise.resolve(true),
      // Listed, but its leader is elected only at the third look (as on a broker mid-creation).
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
        looks++;
        if (looks === 1) throw new Error('This server does not host this topic-partition');
        const { topics: metadata } = await led.fetchTopicMetadata({ topics });
        return {
          topics: metadata.map((t) => ({
            ...t,
            partitions: t.partitions.map((p) => ({ ...p, leader: looks < 3 ? -1 : 1 })),
          })),
        };
      },
    };
    await ensureTopics(admin, [{ topic: 'orders', numPartitions: 6 }], 1, captureLogger().logger);
    assert.equal(looks, 3);
  });

  it('a topic whose leader never comes is an error for the retry around it, naming the topic', async () => {
    const admin = {
      fetchTopicMetadata: () =>
        Promise.resolve({
          topics: [
            {
              name: 'orders',
              partitions: [{ partitionErrorCode: 5, partitionId: 0, leader: -1, replicas: [1], isr: [] }],
            },
          ],
        }),
    };
    await assert.rejects(
      leadersElected(admin, ['orders'], { attempts: 3, pauseMs: 1 }),
      /no leader yet for topic\(s\) orders/,
    );
  });

  it('any other failure is thrown', async () => {
    const admin = {
      ...led,
      listTopics: () => Promise.resolve([]),
      createTopics: () => Promise.reject(new Error('Replication factor: 3 larger than available brokers: 1')),
    };
    await assert.rejects(
      ensureTopics(admin, [{ topic: 'orders', numPartitions: 6 }], 3, captureLogger().logger),
      /Replication factor/,
    );
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
    assert.deepEqual(Object.fromEntries(await describeTopics(admin, 'x-')), {
      'x-orders': {
        partitions: 2,
        replicationFactor: 3,
        configs: { 'cleanup.policy': 'delete', 'retention.ms': '1000' },
      },
    });
  });
});
