import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssignerProtocol, type GroupDescription } from 'kafkajs';
import { preparersReader, readCabinet, readPreparers, toPreparers, waitingOrders } from './shop-view.js';

const assignment = (topic: string, partitions: number[]) =>
  AssignerProtocol.MemberAssignment.encode({
    version: 0,
    assignment: { [topic]: partitions },
    userData: Buffer.alloc(0),
  });

const member = (id: string, partitions: number[]) => ({
  memberId: `chippy-preparer-${id}-0000-0000`,
  clientId: 'chippy-preparer',
  clientHost: '/10.0.0.7',
  memberMetadata: Buffer.alloc(0),
  memberAssignment: assignment('orders', partitions),
});

const group: GroupDescription = {
  groupId: 'preparers',
  state: 'Stable',
  protocol: 'RoundRobinAssigner',
  protocolType: 'consumer',
  members: [member('bbbbbbbb', [1, 3]), member('aaaaaaaa', [2, 0])],
};

describe('toPreparers', () => {
  const preparers = toPreparers({
    group,
    ordersTopic: 'orders',
    orders: [
      { partition: 1, high: '10', low: '0' },
      { partition: 0, high: '7', low: '0' },
      { partition: 2, high: '4', low: '1' },
      { partition: 3, high: '0', low: '0' },
      { partition: 4, high: '2', low: '0' },
    ],
    committed: [
      { partition: 0, offset: '7' },
      { partition: 1, offset: '6' },
      { partition: 2, offset: '-1' },
      { partition: 3, offset: '-1' },
    ],
    ready: [
      { partition: 0, high: '5', low: '0' },
      { partition: 1, high: '6', low: '2' },
    ],
  });

  it('lists members with their partitions of orders, sorted', () => {
    assert.deepEqual(
      preparers.members.map((m) => [m.label, m.host, m.partitions]),
      [
        ['chippy-preparer aaaaaaaa', '10.0.0.7', [0, 2]],
        ['chippy-preparer bbbbbbbb', '10.0.0.7', [1, 3]],
      ],
    );
  });

  it('gives the lag per partition, counting all that is retained where nothing is committed', () => {
    assert.deepEqual(
      preparers.partitions.map((p) => [p.partition, p.committed, p.end, p.lag, p.member]),
      [
        [0, 7, 7, 0, 'chippy-preparer aaaaaaaa'],
        [1, 6, 10, 4, 'chippy-preparer bbbbbbbb'],
        [2, null, 4, 3, 'chippy-preparer aaaaaaaa'],
        [3, null, 0, 0, 'chippy-preparer bbbbbbbb'],
        [4, null, 2, 2, null],
      ],
    );
    assert.equal(preparers.lag, 9);
  });

  it('counts orders ready as the sum of end offsets of orders-ready', () => {
    assert.equal(preparers.ordersReady, 11);
  });

  it('splits the orders not ready into waiting for a preparer (the lag) and for the cook (the rest)', () => {
    assert.equal(preparers.ordersPlaced, 23);
    assert.deepEqual(preparers.waiting, { total: 12, preparer: 9, cook: 3 });
  });
});

describe('waitingOrders', () => {
  it('never reads below the lag, even when "ready" overcounts (transaction markers)', () => {
    assert.deepEqual(waitingOrders(100, 104, 2), { total: 2, preparer: 2, cook: 0 });
  });
});

describe('readPreparers', () => {
  it('says so when the orders topic does not exist, rather than creating it', async () => {
    const admin = {
      listTopics: () => Promise.resolve(['cooked']),
      describeGroups: () => Promise.reject(new Error('not reached')),
      fetchOffsets: () => Promise.reject(new Error('not reached')),
      fetchTopicOffsets: () => Promise.reject(new Error('not reached')),
    };
    await assert.rejects(
      readPreparers(admin, { group: 'preparers', orders: 'orders', ordersReady: 'orders-ready' }),
      /topic orders does not exist yet/,
    );
  });
});

describe('preparersReader', () => {
  it('connects on the first read, again after a failed connect, then only reads', async () => {
    let connects = 0;
    const admin = {
      connect: () => (++connects === 1 ? Promise.reject(new Error('broker gone')) : Promise.resolve()),
      listTopics: () => Promise.resolve(['orders']),
      describeGroups: () => Promise.resolve({ groups: [group] }),
      fetchOffsets: () =>
        Promise.resolve([{ topic: 'orders', partitions: [{ partition: 0, offset: '3', metadata: null }] }]),
      fetchTopicOffsets: () => Promise.resolve([{ partition: 0, offset: '5', high: '5', low: '0' }]),
    };
    const read = preparersReader(admin, {
      group: 'preparers',
      orders: 'orders',
      ordersReady: 'orders-ready',
    });
    await assert.rejects(read(), /broker gone/);
    assert.equal((await read()).lag, 2);
    assert.equal((await read()).lag, 2);
    assert.equal(connects, 2);
  });
});

describe('readCabinet', () => {
  it('reads the prefixed hash, missing fields as 0', async () => {
    const keys: string[] = [];
    const redis = {
      status: 'ready',
      hgetall: (key: string) => {
        keys.push(key);
        return Promise.resolve({ cod: '4', chips: '12' });
      },
    };
    assert.deepEqual(await readCabinet(redis, 'shop1-', 1000), { cod: 4, chips: 12, plaice: 0 });
    assert.deepEqual(keys, ['shop1-cabinet']);
  });

  it('fails at once while Redis is reconnecting, and on a timeout', async () => {
    const never = {
      status: 'reconnecting',
      hgetall: () => new Promise<Record<string, string>>(() => undefined),
    };
    await assert.rejects(readCabinet(never, '', 1000), /not connected \(reconnecting\)/);
    await assert.rejects(readCabinet({ ...never, status: 'ready' }, '', 20), /did not answer within 20 ms/);
  });
});
