import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import type { KafkaMessage } from 'kafkajs';
import { cookRunConfig, type FetchPayload } from './consumer.js';
import { KitchenClosed, type Ticket } from './kitchen.js';
import { cookRequest } from './testing/requests.js';

const fetched = (offsets: number[]): KafkaMessage[] =>
  offsets.map((o) => ({
    offset: String(o),
    key: null,
    value: Buffer.from(String(o)),
    timestamp: '0',
    attributes: 0,
    headers: {},
  }));

function consumer(
  submit: (tickets: readonly Ticket[]) => Promise<void>,
  heartbeat = () => Promise.resolve(),
) {
  const { logger, lines } = captureLogger();
  const resolved: string[] = [];
  let beats = 0;
  const stopping = new AbortController();
  const run = cookRunConfig({
    decode: (value) => Promise.resolve(cookRequest(Number(String(value)))),
    kitchen: { submit },
    deadLetter: () => Promise.reject(new Error('nothing to park here')),
    partitions: 6,
    stopping: stopping.signal,
    logger,
    heartbeatMs: 10,
  });
  const payload = (offsets: number[]): FetchPayload => ({
    batch: { topic: 'cook-requests', partition: 3, messages: fetched(offsets) },
    resolveOffset: (offset) => void resolved.push(offset),
    heartbeat: () => {
      beats++;
      return heartbeat();
    },
  });
  return { run, payload, resolved, lines, stopping, beats: () => beats };
}

describe('cookRunConfig', () => {
  it("a fetch's requests go to the kitchen together and are resolved once all are answered", async () => {
    const submitted: string[][] = [];
    const c = consumer((tickets) =>
      Promise.resolve(void submitted.push(tickets.map((t) => t.request.order.order_id))),
    );
    assert.equal(c.run.partitionsConsumedConcurrently, 6);
    assert.equal(c.run.eachBatchAutoResolve, false);
    await c.run.eachBatch(c.payload([7, 8, 9]));
    assert.deepEqual(submitted, [['o-7', 'o-8', 'o-9']]);
    assert.deepEqual(c.resolved, ['9']);
    await c.run.eachBatch(c.payload([]));
    assert.deepEqual(submitted.length, 1, 'an empty fetch does nothing');
  });

  it('the group hears from the cook while its requests are at the fryer; a failed heartbeat is said', async () => {
    const c = consumer(
      () => new Promise((resolve) => setTimeout(resolve, 45)),
      () => Promise.reject(new Error('rebalancing')),
    );
    await c.run.eachBatch(c.payload([1]));
    const beats = c.beats();
    assert.ok(beats >= 2, `${beats} heartbeats`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(c.beats(), beats, 'no heartbeat once the fetch is answered');
    const warned = c.lines.filter((l) => l.msg === 'heartbeat at the fryer failed');
    assert.equal(warned.length, beats);
    assert.deepEqual([warned[0]!.level, warned[0]!.err, warned[0]!.partition], ['warn', 'rebalancing', 3]);
  });

  it('a failure before shutdown goes to kafkajs; the requests are not resolved', async () => {
    const c = consumer(() => Promise.reject(new Error('Redis away')));
    await assert.rejects(c.run.eachBatch(c.payload([1, 2])), /Redis away/);
    assert.deepEqual(c.resolved, []);
  });

  it('once shutdown has begun the requests are left for the next cook, with a warning that says why', async () => {
    const c = consumer(() => Promise.reject(new KitchenClosed()));
    c.stopping.abort();
    await c.run.eachBatch(c.payload([4, 5]));
    assert.deepEqual(c.resolved, [], 'their offsets stay uncommitted');
    assert.deepEqual(
      c.lines.map((l) => [l.level, l.msg, l.offset, l.err]),
      [['warn', 'requests left for the next cook: shutting down', '4', new KitchenClosed().message]],
    );
  });
});
