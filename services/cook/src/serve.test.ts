import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import type { CookRequest, Portions } from '@chippy/shop';
import type { ProducerBatch } from 'kafkajs';
import type { Fried } from './kitchen.js';
import { createServe } from './serve.js';
import { cookRequest } from './testing/requests.js';

const request = (n: number) => cookRequest(n, 2);

const fried = (batch: Portions, answered: CookRequest[]): Fried => ({
  batchId: 'b-1',
  started: 2_000,
  finished: 5_000,
  batch,
  answered,
  fresh: answered.map((_, i) => i === 0),
});

function serve() {
  const { logger, lines } = captureLogger();
  const sent: ProducerBatch[] = [];
  const counted: Portions[] = [];
  const s = createServe({
    producer: { sendBatch: (batch) => Promise.resolve(void sent.push(batch)).then(() => []) },
    topics: { cooked: 's-cooked', cookBatches: 's-cook-batches' },
    cookId: 'cook-1',
    encodeCooked: (c) => Promise.resolve(Buffer.from(JSON.stringify(c))),
    encodeBatch: (b) => Promise.resolve(Buffer.from(JSON.stringify(b))),
    fried: (batch) => void counted.push(batch),
    logger,
  });
  /** Each topic of the i-th produce call, with its messages' keys and values. */
  const decoded = (i: number): [string, [unknown, unknown][]][] =>
    sent[i]!.topicMessages!.map((t) => [
      t.topic,
      t.messages.map((m): [unknown, unknown] => [m.key, JSON.parse(String(m.value))]),
    ]);
  return { s, sent, counted, lines, decoded };
}

describe('createServe', () => {
  it("a batch's answers and its record go in one produce call, keyed by order and by cook", async () => {
    const { s, sent, counted, lines, decoded } = serve();
    await s(fried({ cod: 0, chips: 20, plaice: 2 }, [request(1), request(2)]));
    assert.equal(sent.length, 1);
    const cooked = { chips: 20, plaice: 2 };
    const answer = (n: number) => ({
      order: request(n).order,
      cooked,
      cook: 'cook-1',
      prepare_started: 1_500,
      attempt: 2,
    });
    assert.deepEqual(decoded(0), [
      [
        's-cooked',
        [
          ['o-1', answer(1)],
          ['o-2', answer(2)],
        ],
      ],
      [
        's-cook-batches',
        [
          [
            'cook-1',
            {
              batch_id: 'b-1',
              cook: 'cook-1',
              started: 2_000,
              finished: 5_000,
              fried: cooked,
              orders: ['o-1', 'o-2'],
            },
          ],
        ],
      ],
    ]);
    assert.deepEqual(counted, [{ cod: 0, chips: 20, plaice: 2 }]);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.order_id, l.added]),
      [
        ['batch fried', undefined, undefined],
        ['order cooked', 'o-1', true],
        ['order cooked', 'o-2', false],
      ],
    );
  });

  it('a restock answers nobody; requests answered from the cabinet make no batch record', async () => {
    const restock = serve();
    await restock.s(fried({ cod: 10, chips: 0, plaice: 0 }, []));
    assert.deepEqual(
      restock.decoded(0).map(([topic, messages]) => [topic, messages.length]),
      [
        ['s-cooked', 0],
        ['s-cook-batches', 1],
      ],
    );
    assert.deepEqual(
      restock.lines.map((l) => [l.msg, l.requests]),
      [['restocked', 0]],
    );

    const answered = serve();
    await answered.s(fried({ cod: 0, chips: 0, plaice: 0 }, [request(3)]));
    assert.deepEqual(
      answered.decoded(0).map(([topic]) => topic),
      ['s-cooked'],
    );
    assert.deepEqual(
      answered.lines.map((l) => l.msg),
      ['order cooked'],
    );
  });

  it('nothing is counted or logged when the send fails', async () => {
    const { logger, lines } = captureLogger();
    const counted: Portions[] = [];
    const s = createServe({
      producer: { sendBatch: () => Promise.reject(new Error('broker gone')) },
      topics: { cooked: 's-cooked', cookBatches: 's-cook-batches' },
      cookId: 'cook-1',
      encodeCooked: () => Promise.resolve(Buffer.from('')),
      encodeBatch: () => Promise.resolve(Buffer.from('')),
      fried: (batch) => void counted.push(batch),
      logger,
    });
    await assert.rejects(s(fried({ cod: 10, chips: 0, plaice: 0 }, [request(1)])), /broker gone/);
    assert.deepEqual([counted, lines], [[], []]);
  });
});
