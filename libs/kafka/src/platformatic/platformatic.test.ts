import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { compatibilityPartitioner, MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';
import { createLogger } from '@chippy/runtime';
import { Partitioners, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import { assignedPartitions } from '../group-members.js';
import { createKafka } from '../kafka.js';
import { adaptAdmin, type InnerAdmin } from './admin.js';
import { adaptConsumer, type ConsumeOptions, type InnerConsumer, type InnerOffset } from './consumer.js';
import { asKafkaJsError } from './errors.js';
import {
  incoming,
  javaPartitioner,
  outgoing,
  type IncomingMessage,
  type OutgoingMessage,
} from './messages.js';
import { adaptProducer, type InnerProducer } from './producer.js';

const logger = createLogger('test', 'silent');
const config = {
  kafkaUri: '127.0.0.1:9092',
  certsDir: 'no-such-certs-dir',
  saslMechanism: 'none' as const,
  saslUsername: '',
  saslPassword: '',
  kafkaClient: 'platformatic' as const,
};

async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const message = (topic: string, partition: number, offset: number, key = `k${offset}`): IncomingMessage => ({
  topic,
  partition,
  offset: BigInt(offset),
  timestamp: 1_700_000_000_000n,
  key: Buffer.from(key),
  value: Buffer.from(`v${offset}`),
  headers: new Map([[Buffer.from('h'), Buffer.from('x')]]),
});

/** The client's message stream: a Readable in object mode, fed by the test. */
class FakeStream extends Readable {
  closed_ = false;
  constructor() {
    super({ objectMode: true, read: () => undefined });
  }
  close(): Promise<void> {
    this.closed_ = true;
    this.destroy();
    return Promise.resolve();
  }
}

class FakeConsumer extends EventEmitter {
  readonly consumed: ConsumeOptions[] = [];
  readonly commits: InnerOffset[][] = [];
  readonly stream = new FakeStream();
  closed = false;
  constructor(private assignments: { topic: string; partitions: number[] }[]) {
    super();
  }
  metadata() {
    return Promise.resolve({});
  }
  consume(options: ConsumeOptions) {
    this.consumed.push(options);
    this.join(this.assignments);
    return Promise.resolve(this.stream);
  }
  join(assignments: { topic: string; partitions: number[] }[]) {
    this.assignments = assignments;
    this.emit('consumer:group:join', { memberId: 'member-1', isLeader: true, assignments });
  }
  commit({ offsets }: { offsets: InnerOffset[] }) {
    this.commits.push(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
    return Promise.resolve();
  }
  close() {
    this.closed = true;
    return Promise.resolve();
  }
}

function consumerOver(fakes: FakeConsumer[], groupId = 'g') {
  let made = 0;
  const consumer = adaptConsumer(
    () => Promise.resolve(fakes[made++]! as unknown as InnerConsumer),
    { groupId },
    logger,
  );
  return { consumer, made: () => made };
}

const text = (m: KafkaMessage) => m.key?.toString();

describe('the @platformatic/kafka adapter', () => {
  // --- messages -------------------------------------------------------------------------------------------

  it('a kafkajs message goes out as Buffers; a header given twice is sent twice', () => {
    const out = outgoing('orders', {
      key: 'o-1',
      value: 'v',
      partition: 2,
      headers: { a: 'x', b: ['1', Buffer.from('2')], gone: undefined },
      timestamp: '1700000000000',
    });
    assert.deepEqual(out.key, Buffer.from('o-1'));
    assert.deepEqual(out.value, Buffer.from('v'));
    assert.equal(out.partition, 2);
    assert.equal(out.timestamp, 1_700_000_000_000n);
    assert.deepEqual(
      [...out.headers!].map(([k, v]) => `${k.toString()}=${v.toString()}`),
      ['a=x', 'b=1', 'b=2'],
    );
    const bare = outgoing('orders', { key: null, value: null });
    assert.deepEqual(Object.keys(bare), ['topic'], 'a null key or value is left out (sent as null)');
  });

  it('a consumed message looks like kafkajs’s: Buffers or null, string offset, repeated headers as an array', () => {
    const m = incoming({
      ...message('orders', 0, 41),
      key: undefined,
      value: null,
      headers: new Map([
        [Buffer.from('dlq.reason'), Buffer.from('bad')],
        [Buffer.from('b'), Buffer.from('1')],
        [Buffer.from('b'), Buffer.from('2')],
      ]),
    });
    assert.equal(m.key, null);
    assert.equal(m.value, null);
    assert.equal(m.offset, '41');
    assert.equal(m.timestamp, '1700000000000');
    assert.deepEqual(m.headers!['dlq.reason'], Buffer.from('bad'));
    assert.deepEqual(m.headers!.b, [Buffer.from('1'), Buffer.from('2')]);
  });

  it('keys go to the partition kafkajs’s DefaultPartitioner (the Java client’s) picks; keyless ones round-robin', () => {
    const partitioner = javaPartitioner(compatibilityPartitioner);
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const partitions of [3, 6, 7]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      for (let i = 0; i < 300; i++) {
        const key = `order-${i * 7919}`;
        const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
        // The client takes the partitioner's number modulo the partitions.
        assert.equal(partitioner({ topic: 't' }, Buffer.from(key)) % partitions, expected, key);
      }
    }
    assert.deepEqual(
      [0, 1, 2].map(() => partitioner({ topic: 'keyless' }, undefined)),
      [0, 1, 2],
    );
  });

  it('a client error reads as kafkajs’s: the innermost message, the Kafka error name as type, retriable', () => {
    const tooLarge = new MultipleErrors('Producing messages failed.', [
      new ProtocolError('MESSAGE_TOO_LARGE'),
    ]);
    asKafkaJsError(tooLarge);
    assert.equal((tooLarge as unknown as { type: string }).type, 'MESSAGE_TOO_LARGE');
    const refused = new MultipleErrors('metadata failed 3 times.', [
      new NetworkError('Connection error', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }),
    ]);
    asKafkaJsError(refused);
    assert.equal(refused.message, 'metadata failed 3 times: connect ECONNREFUSED 127.0.0.1:9');
    assert.equal((refused as unknown as { retriable: boolean }).retriable, true);
  });

  // --- producer ------------------------------------------------------------------------------------------

  function fakeProducer() {
    const sent: { messages: OutgoingMessage[]; acks?: number }[] = [];
    const calls: string[] = [];
    const inner: InnerProducer = {
      metadata: () => (calls.push('metadata'), Promise.resolve({})),
      initIdempotentProducer: () => (calls.push('init'), Promise.resolve({})),
      send(options) {
        sent.push(options);
        return Promise.resolve({ offsets: [{ topic: 'orders', partition: 1, offset: 7n }] });
      },
      close: () => (calls.push('close'), Promise.resolve()),
    };
    return { inner, sent, calls };
  }

  it('producer: connect reaches the brokers (and gets an idempotent producer id); send and sendBatch are one send', async () => {
    const fake = fakeProducer();
    const producer = adaptProducer(() => Promise.resolve(fake.inner), true, logger);
    await producer.connect();
    assert.deepEqual(fake.calls, ['metadata', 'init']);
    const result = await producer.send({ topic: 'orders', messages: [{ key: 'a', value: 'x' }] });
    assert.deepEqual(result, [{ topicName: 'orders', partition: 1, errorCode: 0, baseOffset: '7' }]);
    await producer.sendBatch({
      topicMessages: [
        { topic: 'orders-ready', messages: [{ key: 'a', value: 'r' }] },
        { topic: 'cook-requests', messages: [{ key: 'a', value: 'c' }] },
      ],
    });
    assert.deepEqual(
      fake.sent[1]!.messages.map((m) => m.topic),
      ['orders-ready', 'cook-requests'],
    );
    assert.deepEqual(await producer.sendBatch({ topicMessages: [] }), []);
    assert.equal(fake.sent.length, 2, 'nothing to send, no request');
    await producer.disconnect();
    assert.equal(fake.calls.at(-1), 'close');
  });

  it('producer: transactions are refused with a reason, when made and when begun', async () => {
    const kafka = createKafka(config, 'test', logger);
    assert.throws(
      () => kafka.producer({ transactionalId: 'tx' }),
      /KAFKA_CLIENT=platformatic does not bridge transactions/,
    );
    const producer = adaptProducer(() => Promise.resolve(fakeProducer().inner), true, logger);
    await assert.rejects(producer.transaction(), /does not bridge transactions/);
    assert.throws(
      () => producer.on(producer.events.CONNECT, () => undefined),
      /does not bridge the producer event/,
    );
  });

  // --- consumer ------------------------------------------------------------------------------------------

  it('consumer: run joins (GROUP_JOIN), hands what is buffered over per partition, commits what was resolved', async () => {
    const fake = new FakeConsumer([{ topic: 'orders', partitions: [0, 1] }]);
    const { consumer } = consumerOver([fake]);
    const joins: unknown[] = [];
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => joins.push(payload.memberAssignment));
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
    const batches: { partition: number; keys: (string | undefined)[] }[] = [];
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, ...payload }) => {
        batches.push({ partition: batch.partition, keys: batch.messages.map(text) });
        // Only the first message of each batch is done.
        payload.resolveOffset(batch.messages[0]!.offset);
        return Promise.resolve();
      },
    });
    assert.deepEqual(joins, [{ orders: [0, 1] }]);
    assert.equal(fake.consumed[0]!.mode, 'committed');
    assert.equal(fake.consumed[0]!.fallbackMode, 'earliest');
    assert.equal(fake.consumed[0]!.autocommit, false);
    for (const m of [message('orders', 0, 5), message('orders', 1, 9), message('orders', 0, 6)])
      fake.stream.push(m);
    await until(() => fake.commits.length === 1, 'a commit');
    assert.deepEqual(batches, [
      { partition: 0, keys: ['k5', 'k6'] },
      { partition: 1, keys: ['k9'] },
    ]);
    assert.deepEqual(fake.commits[0], [
      { topic: 'orders', partition: 0, offset: 6n },
      { topic: 'orders', partition: 1, offset: 10n },
    ]);
    await consumer.disconnect();
    assert.ok(fake.closed && fake.stream.closed_, 'stream and client closed');
  });

  it('consumer: eachBatchAutoResolve (the default) resolves each batch; autoCommit false commits nothing', async () => {
    const fake = new FakeConsumer([{ topic: 'orders', partitions: [0] }]);
    const { consumer } = consumerOver([fake]);
    await consumer.subscribe({ topic: 'orders' });
    let seen = 0;
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        seen += batch.messages.length;
        return Promise.resolve();
      },
    });
    assert.equal(fake.consumed[0]!.fallbackMode, 'latest');
    fake.stream.push(message('orders', 0, 1));
    await until(() => seen === 1, 'the batch');
    await consumer.disconnect();
    assert.deepEqual(fake.commits, []);

    const resolving = new FakeConsumer([{ topic: 'orders', partitions: [0] }]);
    const second = consumerOver([resolving]).consumer;
    await second.subscribe({ topic: 'orders' });
    await second.run({ eachBatch: () => Promise.resolve() });
    resolving.stream.push(message('orders', 0, 1));
    resolving.stream.push(message('orders', 0, 2));
    await until(() => resolving.commits.length === 1, 'a commit');
    assert.deepEqual(resolving.commits[0], [{ topic: 'orders', partition: 0, offset: 3n }]);
    await second.disconnect();
  });

  it('consumer: commitOffsetsIfNecessary(uncommittedOffsets()) commits at once, and not again after the round', async () => {
    const fake = new FakeConsumer([{ topic: 'orders', partitions: [0, 1] }]);
    const { consumer } = consumerOver([fake]);
    await consumer.subscribe({ topic: 'orders' });
    const during: number[] = [];
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, ...payload }) => {
        payload.resolveOffset(batch.messages.at(-1)!.offset);
        await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
        during.push(fake.commits.length);
      },
    });
    fake.stream.push(message('orders', 0, 3));
    fake.stream.push(message('orders', 1, 8));
    await until(() => during.length === 2, 'both batches');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(during, [1, 2]);
    assert.deepEqual(fake.commits, [
      [{ topic: 'orders', partition: 0, offset: 4n }],
      [{ topic: 'orders', partition: 1, offset: 9n }],
    ]);
    await consumer.disconnect();
  });

  it('consumer: after a rebalance a moved partition is stale, its messages dropped, and nothing is handed over twice', async () => {
    const fake = new FakeConsumer([{ topic: 'orders', partitions: [0, 1] }]);
    const { consumer } = consumerOver([fake]);
    await consumer.subscribe({ topic: 'orders' });
    const handed: string[] = [];
    let stale: (() => boolean) | undefined;
    let release: (() => void) | undefined;
    await consumer.run({
      eachBatch: async ({ batch, ...payload }) => {
        handed.push(...batch.messages.map((m) => `${batch.partition}/${m.offset}`));
        if (batch.partition === 1 && !stale) {
          stale = () => payload.isStale();
          await new Promise<void>((resolve) => (release = resolve));
        }
      },
    });
    fake.stream.push(message('orders', 1, 0));
    await until(() => release !== undefined, 'the first batch');
    assert.equal(stale!(), false);
    // Another member joins: partition 1 is theirs now. The stream goes back to the committed offsets and
    // fetches partition 0 again; it also still holds a message of partition 1.
    fake.join([{ topic: 'orders', partitions: [0] }]);
    assert.equal(stale!(), true);
    release!();
    fake.stream.push(message('orders', 0, 0));
    fake.stream.push(message('orders', 0, 1));
    fake.stream.push(message('orders', 1, 1));
    await until(() => handed.length >= 3, 'partition 0');
    fake.stream.push(message('orders', 0, 0));
    fake.stream.push(message('orders', 0, 1));
    fake.stream.push(message('orders', 0, 2));
    await until(() => handed.includes('0/2'), 'the next message');
    assert.deepEqual(handed, ['1/0', '0/0', '0/1', '0/2']);
    assert.ok(
      fake.commits.flat().every((c) => c.partition === 0),
      'offsets of a partition another member holds are not committed',
    );
    await consumer.disconnect();
  });

  it('consumer: a failing batch is a CRASH with restart; what was resolved is committed and a new client rejoins', async () => {
    const first = new FakeConsumer([{ topic: 'orders', partitions: [0] }]);
    const second = new FakeConsumer([{ topic: 'orders', partitions: [0] }]);
    const { consumer, made } = consumerOver([first, second]);
    const crashes: { error: Error; restart: boolean }[] = [];
    consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push(payload));
    await consumer.subscribe({ topic: 'orders' });
    const handed: string[] = [];
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, ...payload }) => {
        for (const m of batch.messages) {
          if (m.offset === '2' && handed.filter((h) => h === '2').length === 0) {
            handed.push(m.offset);
            return Promise.reject(new Error('redis down'));
          }
          handed.push(m.offset);
          payload.resolveOffset(m.offset);
        }
        return Promise.resolve();
      },
    });
    first.stream.push(message('orders', 0, 1));
    first.stream.push(message('orders', 0, 2));
    await until(() => made() === 2, 'the restart', 3000);
    assert.equal(crashes.length, 1);
    assert.equal(crashes[0]!.error.message, 'redis down');
    assert.equal(crashes[0]!.restart, true);
    assert.deepEqual(first.commits, [[{ topic: 'orders', partition: 0, offset: 2n }]]);
    assert.ok(first.closed && first.stream.closed_);
    // The new client starts from the committed offset: offset 2 again.
    second.stream.push(message('orders', 0, 2));
    await until(() => second.commits.length === 1, 'the commit after the restart', 3000);
    assert.deepEqual(handed, ['1', '2', '2']);
    await consumer.disconnect();
  });

  it('consumer: disconnect lets the running batch end (isRunning false), commits and leaves', async () => {
    const fake = new FakeConsumer([{ topic: 'orders', partitions: [0] }]);
    const { consumer } = consumerOver([fake]);
    await consumer.subscribe({ topic: 'orders' });
    let payload: EachBatchPayload | undefined;
    let release: (() => void) | undefined;
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async (p) => {
        payload = p;
        p.resolveOffset(p.batch.messages[0]!.offset);
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    fake.stream.push(message('orders', 0, 4));
    await until(() => release !== undefined, 'the batch');
    assert.equal(payload!.isRunning(), true);
    const disconnected = consumer.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(payload!.isRunning(), false);
    assert.equal(fake.closed, false, 'waits for the batch');
    release!();
    await disconnected;
    assert.deepEqual(fake.commits, [[{ topic: 'orders', partition: 0, offset: 5n }]]);
    assert.ok(fake.closed);
  });

  it('consumer: partitions are handled partitionsConsumedConcurrently at a time; eachMessage works too', async () => {
    const fake = new FakeConsumer([{ topic: 't', partitions: [0, 1, 2] }]);
    const { consumer } = consumerOver([fake]);
    await consumer.subscribe({ topic: 't' });
    let running = 0;
    let most = 0;
    let done = 0;
    await consumer.run({
      partitionsConsumedConcurrently: 2,
      eachBatch: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        done++;
      },
    });
    for (const p of [0, 1, 2]) fake.stream.push(message('t', p, 0));
    await until(() => done === 3, 'three batches');
    assert.equal(most, 2);
    await consumer.disconnect();

    const each = new FakeConsumer([{ topic: 't', partitions: [0] }]);
    const other = consumerOver([each]).consumer;
    await other.subscribe({ topic: 't' });
    const seen: string[] = [];
    await other.run({
      eachMessage: ({ message: m }) => {
        seen.push(m.offset);
        return Promise.resolve();
      },
    });
    each.stream.push(message('t', 0, 0));
    each.stream.push(message('t', 0, 1));
    await until(() => each.commits.length === 1, 'the commit');
    assert.deepEqual(seen, ['0', '1']);
    assert.deepEqual(each.commits[0], [{ topic: 't', partition: 0, offset: 2n }]);
    await other.disconnect();
  });

  it('consumer: a seek right after run starts there; later, and other kafkajs calls, are refused by name', async () => {
    const fake = new FakeConsumer([{ topic: 't', partitions: [0, 1] }]);
    const { consumer } = consumerOver([fake]);
    await consumer.subscribe({ topic: 't' });
    const running = consumer.run({ eachBatch: () => Promise.resolve() });
    consumer.seek({ topic: 't', partition: 1, offset: '17' });
    await running;
    assert.equal(fake.consumed[0]!.mode, 'manual');
    assert.deepEqual(fake.consumed[0]!.offsets, [{ topic: 't', partition: 1, offset: 17n }]);
    assert.throws(
      () => consumer.seek({ topic: 't', partition: 0, offset: '1' }),
      /does not bridge seek once/,
    );
    assert.throws(() => consumer.pause([{ topic: 't' }]), /does not bridge consumer.pause/);
    assert.throws(
      () => consumer.on(consumer.events.HEARTBEAT, () => undefined),
      /consumer event consumer.heartbeat/,
    );
    await assert.rejects(consumer.subscribe({ topics: [/t.*/] }), /regular expression/);
    await consumer.disconnect();
  });

  // --- admin ---------------------------------------------------------------------------------------------

  function fakeAdmin(existing: Set<string>) {
    const metadata = {
      id: 'cluster-1',
      controllerId: 1,
      brokers: new Map([[1, { host: 'b1', port: 9092 }]]),
      topics: new Map([
        [
          'orders',
          {
            partitionsCount: 2,
            partitions: [0, 1].map(() => ({ leader: 1, replicas: [1], isr: [1], offlineReplicas: [] })),
          },
        ],
      ]),
    };
    const inner: InnerAdmin = {
      metadata: () => Promise.resolve(metadata),
      listTopics: () => Promise.resolve([...existing]),
      createTopics({ topics }) {
        if (existing.has(topics[0]!)) {
          return Promise.reject(
            new MultipleErrors('Creating topics failed.', [new ProtocolError('TOPIC_ALREADY_EXISTS')]),
          );
        }
        existing.add(topics[0]!);
        return Promise.resolve([]);
      },
      deleteTopics: () => Promise.resolve(),
      listOffsets: ({ topics }) =>
        Promise.resolve(
          topics.map(({ name, partitions }) => ({
            name,
            partitions: partitions.map(({ partitionIndex, timestamp }) => ({
              partitionIndex,
              // latest 100 + p, earliest 3, by timestamp: partition 0 has one, partition 1 none
              offset:
                timestamp === -1n
                  ? 100n + BigInt(partitionIndex)
                  : timestamp === -2n
                    ? 3n
                    : partitionIndex === 0
                      ? 50n
                      : -1n,
            })),
          })),
        ),
      listConsumerGroupOffsets: () =>
        Promise.resolve([
          {
            groupId: 'preparers',
            topics: [
              { name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 42n, metadata: null }] },
            ],
          },
        ]),
      describeGroups: () =>
        Promise.resolve(
          new Map([
            [
              'preparers',
              {
                id: 'preparers',
                state: 'STABLE',
                protocol: 'roundrobin',
                protocolType: 'consumer',
                members: new Map([
                  [
                    'chippy-preparer-abc',
                    {
                      id: 'chippy-preparer-abc',
                      clientId: 'chippy-preparer',
                      clientHost: '/127.0.0.1',
                      metadata: { version: 1, topics: ['orders'], metadata: null },
                      assignments: new Map([['orders', { topic: 'orders', partitions: [1, 0] }]]),
                    },
                  ],
                ]),
              },
            ],
          ]),
        ),
      deleteGroups: () => Promise.resolve(),
      listGroups: () => Promise.resolve(new Map()),
      close: () => Promise.resolve(),
    };
    return inner;
  }

  it('admin: offsets, committed offsets and groups in kafkajs’s shapes', async () => {
    const admin = adaptAdmin(() => Promise.resolve(fakeAdmin(new Set(['orders']))), logger);
    await admin.connect();
    assert.deepEqual(await admin.fetchTopicOffsets('orders'), [
      { partition: 0, offset: '100', high: '100', low: '3' },
      { partition: 1, offset: '101', high: '101', low: '3' },
    ]);
    assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp('orders', 1), [
      { partition: 0, offset: '50' },
      { partition: 1, offset: '101' },
    ]);
    assert.deepEqual(await admin.fetchOffsets({ groupId: 'preparers', topics: ['orders'] }), [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '42', metadata: null },
          { partition: 1, offset: '-1', metadata: null },
        ],
      },
    ]);
    const { groups } = await admin.describeGroups(['preparers', 'cooks']);
    assert.equal(groups[0]!.state, 'Stable');
    assert.deepEqual(assignedPartitions(groups[0]!.members[0]!.memberAssignment, 'orders'), [0, 1]);
    assert.deepEqual(groups[1], {
      groupId: 'cooks',
      members: [],
      protocol: '',
      protocolType: '',
      state: 'Dead',
    });
    assert.deepEqual(await admin.describeCluster(), {
      brokers: [{ nodeId: 1, host: 'b1', port: 9092 }],
      controller: 1,
      clusterId: 'cluster-1',
    });
    await assert.rejects(
      admin.describeConfigs({ resources: [], includeSynonyms: false }),
      /does not bridge admin.describeConfigs/,
    );
  });

  it('admin: createTopics is false when every topic existed, and TOPIC_ALREADY_EXISTS errors when some did', async () => {
    const existing = new Set(['orders']);
    const admin = adaptAdmin(() => Promise.resolve(fakeAdmin(existing)), logger);
    assert.equal(await admin.createTopics({ topics: [{ topic: 'orders' }] }), false);
    assert.equal(await admin.createTopics({ topics: [{ topic: 'cooked' }], waitForLeaders: false }), true);
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: 'orders' }, { topic: 'orders-ready' }], waitForLeaders: false }),
      (error: { errors: { type: string }[] }) => error.errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS'),
    );
  });

  it('KAFKA_CLIENT=platformatic gives the kafkajs-shaped factory', () => {
    const kafka = createKafka(config, 'test', logger);
    const consumer = kafka.consumer({ groupId: 'g' });
    assert.equal(consumer.events.GROUP_JOIN, 'consumer.group_join');
    assert.equal(typeof kafka.producer().send, 'function');
    assert.equal(typeof kafka.admin().createTopics, 'function');
  });
});
