import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import type { ITopicConfig } from 'kafkajs';
import { ensureTopics, leadersElected } from './topics.js';

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
