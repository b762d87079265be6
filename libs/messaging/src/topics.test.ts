import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ITopicConfig } from 'kafkajs';
import { captureLogger } from './log-capture.js';
import { defaultPartitions, ensureTopics, topicNames } from './topics.js';

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

describe('ensureTopics', () => {
  it('creates only the missing topics, waiting for leaders', async () => {
    const calls: { topics: ITopicConfig[]; waitForLeaders?: boolean }[] = [];
    const admin = {
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

  it('any other failure is thrown', async () => {
    const admin = {
      listTopics: () => Promise.resolve([]),
      createTopics: () => Promise.reject(new Error('Replication factor: 3 larger than available brokers: 1')),
    };
    await assert.rejects(
      ensureTopics(admin, [{ topic: 'orders', numPartitions: 6 }], 3, captureLogger().logger),
      /Replication factor/,
    );
  });
});
