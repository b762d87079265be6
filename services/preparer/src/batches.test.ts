import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsumedMessage } from '@chippy/kafka';
import { captureLogger } from '@chippy/runtime/testing';
import type { KafkaMessage } from 'kafkajs';
import { preparerRunConfig, preparingLane, type BatchesOptions, type BatchPayload } from './batches.js';
import { offsetCommits } from './commits.js';
import type { BatchOutcome } from './preparer.js';

/** Messages as kafkajs fetches them; the odd ones without headers (old message format). */
const fetched = (offsets: number[]): KafkaMessage[] =>
  offsets.map(
    (o) =>
      ({
        offset: String(o),
        key: Buffer.from(`k${o}`),
        value: Buffer.from(`v${o}`),
        timestamp: '0',
        attributes: 0,
        ...(o % 2 === 0 && { headers: { h: 'x' } }),
      }) as KafkaMessage,
  );

const outcomeOf = (part: ConsumedMessage[]): BatchOutcome => ({
  ready: [],
  cookRequests: [],
  duplicates: part.map((m) => m.offset),
  deadLettered: 0,
});

/** kafkajs's consumer group as eachBatch sees it: offsets resolved, and committed when asked. */
function fakeGroup(events: string[]) {
  const resolved = new Map<number, string>();
  return {
    resolveOffsetOf: (partition: number) => (offset: string) => {
      events.push(`resolve ${offset}`);
      resolved.set(partition, String(Number(offset) + 1));
    },
    uncommittedOffsets: () => ({
      topics:
        resolved.size === 0
          ? []
          : [
              {
                topic: 'orders',
                partitions: [...resolved].map(([partition, offset]) => ({ partition, offset })),
              },
            ],
    }),
    commitOffsetsIfNecessary: (offsets?: {
      topics: { partitions: { partition: number; offset: string }[] }[];
    }) => {
      for (const { partition, offset } of offsets?.topics.flatMap((t) => t.partitions) ?? [])
        if (resolved.get(partition) === offset) resolved.delete(partition);
      events.push('commit');
      return Promise.resolve();
    },
  };
}

function run(offsets: number[], options: Partial<BatchesOptions> = {}, stopAfter = Infinity) {
  const events: string[] = [];
  const stopping = new AbortController();
  const { logger, lines } = captureLogger();
  const parts: ConsumedMessage[][] = [];
  const group = fakeGroup(events);
  const config = preparerRunConfig({
    batchSize: 2,
    concurrency: 1,
    transactional: false,
    commits: offsetCommits({ intervalMs: 0, logger }),
    prepare: (part) => {
      parts.push(part);
      events.push(`prepare ${part.map((m) => m.offset).join(',')}`);
      return Promise.resolve(outcomeOf(part));
    },
    report: (outcome) => void events.push(`report ${outcome.duplicates.join(',')}`),
    stopping: stopping.signal,
    logger,
    ...options,
  });
  let heartbeats = 0;
  const payload: BatchPayload = {
    batch: { topic: 'orders', partition: 4, messages: fetched(offsets) },
    isRunning: () => heartbeats < stopAfter,
    isStale: () => false,
    resolveOffset: group.resolveOffsetOf(4),
    heartbeat: () => Promise.resolve(void heartbeats++).then(() => void events.push('heartbeat')),
    uncommittedOffsets: group.uncommittedOffsets,
    commitOffsetsIfNecessary: group.commitOffsetsIfNecessary,
  };
  return { config, payload, events, parts, stopping, lines, group };
}

describe("the preparer's batches", () => {
  it('a fetch is prepared batchSize messages at a time: each reported, resolved and followed by a heartbeat', async () => {
    const { config, payload, events, parts } = run([10, 11, 12, 13, 14]);
    await config.eachBatch(payload);
    assert.deepEqual(events, [
      'prepare 10,11',
      'report 10,11',
      'resolve 11',
      'commit',
      'heartbeat',
      'prepare 12,13',
      'report 12,13',
      'resolve 13',
      'commit',
      'heartbeat',
      'prepare 14',
      'report 14',
      'resolve 14',
      'commit',
      'heartbeat',
    ]);
    assert.deepEqual(parts[0]![0], {
      topic: 'orders',
      partition: 4,
      offset: '10',
      key: Buffer.from('k10'),
      value: Buffer.from('v10'),
      headers: { h: 'x' },
    });
    assert.deepEqual(parts[0]![1]!.headers, {}, 'no headers: an empty set');
  });

  it('shutdown or a rebalance between parts leaves the rest unresolved, for redelivery', async () => {
    const stopped = run([1, 2, 3, 4, 5], {}, 1);
    await stopped.config.eachBatch(stopped.payload);
    assert.deepEqual(stopped.events, ['prepare 1,2', 'report 1,2', 'resolve 2', 'commit', 'heartbeat']);

    const stale = run([1, 2, 3]);
    let parts = 0;
    stale.payload.isStale = () => parts++ > 0;
    await stale.config.eachBatch(stale.payload);
    assert.deepEqual(stale.events, ['prepare 1,2', 'report 1,2', 'resolve 2', 'commit', 'heartbeat']);
  });

  it('a part with nothing left to prepare is resolved but not reported; a failed one is neither', async () => {
    const empty = run([1, 2], { prepare: () => Promise.resolve(undefined) });
    await empty.config.eachBatch(empty.payload);
    assert.deepEqual(empty.events, ['resolve 2', 'commit', 'heartbeat']);

    const failed = run([1, 2], { prepare: () => Promise.reject(new Error('redis down')) });
    await assert.rejects(failed.config.eachBatch(failed.payload), /redis down/);
    assert.deepEqual(failed.events, []);
  });

  it('a part that fails once shutdown has begun is left unresolved, with a warning that says why', async () => {
    const r = run([1, 2, 3, 4], {
      prepare: (part) => {
        if (part[0]!.offset === '1') return Promise.resolve(outcomeOf(part));
        r.stopping.abort();
        return Promise.reject(new Error('Redis closed'));
      },
      report: () => undefined,
    });
    await r.config.eachBatch(r.payload);
    assert.deepEqual(r.events, ['resolve 2', 'commit', 'heartbeat']);
    assert.deepEqual(
      r.lines.map((l) => [l.level, l.msg, l.partition, l.offset, l.last, l.err]),
      [['warn', 'batch left: shutting down', 4, '3', '4', 'Redis closed']],
    );
  });

  it('kafkajs commits no offsets itself: the commits do, or each batch’s transaction', () => {
    assert.equal(run([]).config.autoCommit, false);
    assert.equal(run([], { transactional: true }).config.autoCommit, false);
    assert.equal(run([], { concurrency: 3 }).config.partitionsConsumedConcurrently, 3);
    assert.equal(run([]).config.eachBatchAutoResolve, false);
  });

  /** A part of `size` messages of one partition, as the lane is offered it. */
  const partOf = (partition: number, size: number): ConsumedMessage[] =>
    Array.from({ length: size }, (_, i) => ({
      topic: 'orders',
      partition,
      offset: String(i),
      key: null,
      value: null,
      headers: {},
    }));

  function lane(options: { merge: boolean; batchSize?: number }) {
    const batches: string[] = [];
    let inHand = 0;
    let most = 0;
    const stopping = new AbortController();
    const offer = preparingLane({
      batchSize: options.batchSize ?? 10,
      merge: options.merge,
      stopping: stopping.signal,
      async prepare(messages) {
        most = Math.max(most, ++inHand);
        batches.push(messages.map((m) => `${m.partition}:${m.offset}`).join(' '));
        await new Promise((resolve) => setTimeout(resolve, 5));
        inHand -= 1;
        return outcomeOf(messages);
      },
      report: () => undefined,
    });
    return { offer, batches, stopping, most: () => most };
  }

  it('the parts of one fetch are prepared as one batch, up to batchSize; one batch at a time', async () => {
    const l = lane({ merge: true, batchSize: 4 });
    await Promise.all([l.offer(partOf(1, 2)), l.offer(partOf(2, 1)), l.offer(partOf(3, 2))]);
    assert.deepEqual(l.batches, ['1:0 1:1 2:0', '3:0 3:1']);
    assert.equal(l.most(), 1, 'never two batches in hand at once');
  });

  it('each part is its own batch when parts may not merge (a transaction per partition), still one at a time', async () => {
    const l = lane({ merge: false });
    await Promise.all([l.offer(partOf(1, 2)), l.offer(partOf(2, 1))]);
    assert.deepEqual(l.batches, ['1:0 1:1', '2:0']);
    assert.equal(l.most(), 1);
  });

  it('a part still waiting when shutdown begins is not begun: its offer fails, for redelivery', async () => {
    const l = lane({ merge: false });
    const first = l.offer(partOf(1, 1));
    const second = l.offer(partOf(2, 1));
    l.stopping.abort();
    await assert.rejects(first, /shutting down before the batch began/);
    await assert.rejects(second, /shutting down before the batch began/);
    assert.deepEqual(l.batches, []);
  });

  it('the partitions of one fetch are prepared as one batch and committed once, after every part is resolved', async () => {
    const { config, events, group } = run([], { concurrency: 3, batchSize: 10 });
    const payloadFor = (partition: number): BatchPayload => ({
      batch: { topic: 'orders', partition, messages: fetched([partition * 10]) },
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: group.resolveOffsetOf(partition),
      heartbeat: () => Promise.resolve(),
      uncommittedOffsets: group.uncommittedOffsets,
      commitOffsetsIfNecessary: group.commitOffsetsIfNecessary,
    });
    await Promise.all([1, 2, 3].map((p) => config.eachBatch(payloadFor(p))));
    assert.deepEqual(events, [
      'prepare 10,20,30',
      'report 10,20,30',
      'resolve 10',
      'resolve 20',
      'resolve 30',
      'commit',
    ]);

    const tx = run([1, 2], { transactional: true });
    await tx.config.eachBatch(tx.payload);
    assert.ok(!tx.events.includes('commit'), 'a transaction commits the offsets, not the consumer');
  });

  it('a batch in hand for seconds (another preparer’s claim, a slow send) keeps heartbeating meanwhile', async () => {
    const { config, payload, events } = run([10, 11], {
      prepare: (part) => new Promise((resolve) => setTimeout(() => resolve(outcomeOf(part)), 2_300)),
    });
    await config.eachBatch(payload);
    const beforeResolve = events.slice(0, events.indexOf('resolve 11'));
    assert.ok(
      beforeResolve.filter((e) => e === 'heartbeat').length >= 2,
      `heartbeats while the batch was in hand: ${beforeResolve.join(' ')}`,
    );
  });

  it('on an interval, a batch does not wait for its commit; a failed batch commits what is done first', async () => {
    const { logger } = captureLogger();
    const events: string[] = [];
    const group = fakeGroup(events);
    let commitLanded = () => {};
    const committing = {
      ...group,
      commitOffsetsIfNecessary: (offsets: ReturnType<typeof group.uncommittedOffsets>) => {
        events.push('commit sent');
        return new Promise<void>((resolve) => (commitLanded = resolve)).then(() =>
          group.commitOffsetsIfNecessary(offsets),
        );
      },
    };
    const stopping = new AbortController();
    let fail = false;
    const config = preparerRunConfig({
      batchSize: 10,
      concurrency: 1,
      transactional: false,
      commits: offsetCommits({ intervalMs: 60_000, logger, now: () => 60_000 * events.length }),
      prepare: (part) => (fail ? Promise.reject(new Error('redis down')) : Promise.resolve(outcomeOf(part))),
      report: () => undefined,
      stopping: stopping.signal,
      logger,
    });
    const payloadOf = (offsets: number[]): BatchPayload => ({
      batch: { topic: 'orders', partition: 0, messages: fetched(offsets) },
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: group.resolveOffsetOf(0),
      heartbeat: () => Promise.resolve(),
      ...committing,
    });
    await config.eachBatch(payloadOf([1, 2]));
    assert.deepEqual(events, ['resolve 2', 'commit sent'], 'the batch ended with its commit in flight');
    await config.eachBatch(payloadOf([3]));
    assert.deepEqual(
      events,
      ['resolve 2', 'commit sent', 'resolve 3'],
      'no second commit while one is in flight',
    );
    commitLanded();
    fail = true;
    const failed = assert.rejects(config.eachBatch(payloadOf([4])), /redis down/);
    while (events.filter((e) => e === 'commit sent').length < 2) await new Promise((r) => setImmediate(r));
    commitLanded();
    await failed;
    assert.deepEqual(events, ['resolve 2', 'commit sent', 'resolve 3', 'commit', 'commit sent', 'commit']);
    assert.deepEqual(
      group.uncommittedOffsets(),
      { topics: [] },
      'offset 3 committed before the failure left',
    );
  });

  it('on an interval, the batch that ends after shutdown began commits what is done before it returns', async () => {
    const r = run([1, 2], {
      commits: offsetCommits({ intervalMs: 60_000, logger: captureLogger().logger }),
      prepare: (part) => {
        r.stopping.abort();
        return Promise.resolve(outcomeOf(part));
      },
      report: () => undefined,
    });
    await r.config.eachBatch(r.payload);
    assert.deepEqual(r.events, ['resolve 2', 'heartbeat', 'commit']);
  });
});
