import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '@chippy/runtime';
import { captureLogger } from '@chippy/runtime/testing';
import { connectGroup, deadLetters, heartbeatMeanwhile } from './consumer.js';

/** Clients that record what is done with them; the producer's first connect fails. */
function fakeClients() {
  const calls: string[] = [];
  let producerAttempts = 0;
  const clients = {
    admin: {
      fetchOffsets: () =>
        Promise.resolve([{ topic: 'orders', partitions: [{ partition: 0, offset: '3', metadata: null }] }]),
      fetchTopicOffsets: () => Promise.resolve([{ partition: 0, offset: '10', high: '10', low: '0' }]),
    },
    producer: {
      connect: () =>
        ++producerAttempts === 1
          ? Promise.reject(new Error('broker not up yet'))
          : Promise.resolve(void calls.push('producer connected')),
    },
    consumer: {
      connect: () => Promise.resolve(void calls.push('consumer connected')),
      subscribe: (s: unknown) => Promise.resolve(void calls.push(`subscribed ${JSON.stringify(s)}`)),
    },
    groupId: 'preparers',
    topics: ['orders', 'cooked'],
    lagTopics: ['orders'],
  };
  return { clients, calls };
}

function fakeContext() {
  const { logger, lines } = captureLogger();
  const steps = new Map<string, () => Promise<void>>();
  const controller = new AbortController();
  const shutdown = {
    signal: controller.signal,
    add: (name: string, fn: () => Promise<void>) => steps.set(name, fn),
  };
  return { context: { logger, shutdown, metrics: createMetrics('test') }, lines, steps, controller };
}

describe('connectGroup and deadLetters', () => {
  it('connects the producer (retrying), then the consumer, subscribes from the beginning, and samples the lag', async () => {
    const { context, lines, steps } = fakeContext();
    const { clients, calls } = fakeClients();
    await connectGroup(context, clients);
    assert.deepEqual(calls, [
      'producer connected',
      'consumer connected',
      'subscribed {"topics":["orders","cooked"],"fromBeginning":true}',
    ]);
    assert.match(
      String(lines.find((l) => l.level === 'warn')?.msg),
      /^connect the producer failed, retrying/,
    );
    const stopLag = steps.get('lag monitor');
    assert.ok(stopLag, 'the lag monitor stops with the service');
    await stopLag();
    const lag = await context.metrics.consumerLag.get();
    assert.deepEqual(
      lag.values.map((v) => [v.labels, v.value]),
      [[{ group: 'preparers', topic: 'orders', partition: '0' }, 7]],
    );
  });

  it('shutdown during the start stops it before the consumer connects', async () => {
    const { context, controller } = fakeContext();
    const { clients, calls } = fakeClients();
    controller.abort(new Error('shutting down: SIGTERM'));
    await assert.rejects(connectGroup(context, clients), /shutting down: SIGTERM/);
    assert.deepEqual(calls, []);
  });

  it('a dead letter goes through the sender it is given, counted, and logged with its error as err', async () => {
    const { context, lines } = fakeContext();
    const sent: { topic: string; headers: Record<string, unknown> }[] = [];
    const sender = (name: string) => ({
      send: ({ topic, messages }: { topic: string; messages: { headers?: Record<string, unknown> }[] }) => {
        sent.push({ topic: `${name}:${topic}`, headers: messages[0]!.headers ?? {} });
        return Promise.resolve([]);
      },
    });
    const park = deadLetters(context, { dlqTopic: 'orders-dlq', service: 'preparer' });
    const message = { topic: 'orders', partition: 2, offset: '41', key: null, value: Buffer.from('?') };
    await park(sender('tx'))(message, 'not-avro', 'no magic byte');
    assert.deepEqual(
      sent.map((s) => [s.topic, s.headers['dlq.reason'], s.headers['dlq.service']]),
      [['tx:orders-dlq', 'not-avro', 'preparer']],
    );
    const counted = await context.metrics.dlqMessages.get();
    assert.deepEqual(
      counted.values.map((v) => [v.labels, v.value]),
      [[{ topic: 'orders', reason: 'not-avro' }, 1]],
    );
    const line = lines.find((l) => l.msg === 'message sent to the dead-letter topic');
    assert.equal(line?.level, 'warn');
    const { topic, partition, offset, reason, err, error } = line ?? {};
    assert.deepEqual(
      { topic, partition, offset, reason, err, error },
      {
        topic: 'orders',
        partition: 2,
        offset: '41',
        reason: 'not-avro',
        err: 'no magic byte',
        error: undefined,
      },
    );
  });
});

describe('heartbeatMeanwhile', () => {
  it('heartbeats every interval until stopped, and hands a refused heartbeat to its handler', async () => {
    let beats = 0;
    const refused: string[] = [];
    const stop = heartbeatMeanwhile(
      () => (++beats === 2 ? Promise.reject(new Error('rebalancing')) : Promise.resolve()),
      20,
      (error) => refused.push((error as Error).message),
    );
    await new Promise((resolve) => setTimeout(resolve, 75));
    stop();
    const atStop = beats;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(atStop >= 2, `beat ${atStop} times in 75 ms at 20 ms`);
    assert.equal(beats, atStop, 'none after the stop');
    assert.deepEqual(refused, ['rebalancing']);
  });
});
