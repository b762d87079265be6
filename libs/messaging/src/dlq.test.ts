import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProducerRecord } from 'kafkajs';
import { sendToDlq } from './dlq.js';
import { createMetrics } from './metrics.js';

describe('sendToDlq', () => {
  it('sends the original key and bytes with dlq headers and counts it', async () => {
    const sent: ProducerRecord[] = [];
    const producer = {
      send: (record: ProducerRecord) => {
        sent.push(record);
        return Promise.resolve([]);
      },
    };
    const metrics = createMetrics('preparer');
    const value = Buffer.from([5, 1, 2]);
    await sendToDlq(producer, {
      dlqTopic: 'orders-dlq',
      message: {
        topic: 'orders',
        partition: 2,
        offset: '41',
        key: Buffer.from('o1'),
        value,
        headers: { trace: 'abc' },
      },
      reason: 'bad-magic-byte',
      error: 'x'.repeat(5000),
      service: 'preparer',
      counter: metrics.dlqMessages,
    });
    assert.equal(sent.length, 1);
    const [message] = sent[0]!.messages;
    assert.equal(sent[0]!.topic, 'orders-dlq');
    assert.deepEqual(message?.key, Buffer.from('o1'));
    assert.equal(message?.value, value);
    const headers = message?.headers ?? {};
    assert.equal(headers.trace, 'abc');
    assert.equal(headers['dlq.topic'], 'orders');
    assert.equal(headers['dlq.partition'], '2');
    assert.equal(headers['dlq.offset'], '41');
    assert.equal(headers['dlq.reason'], 'bad-magic-byte');
    assert.equal(headers['dlq.service'], 'preparer');
    assert.equal(String(headers['dlq.error']).length, 1000);
    assert.ok(!Number.isNaN(Date.parse(String(headers['dlq.time']))));
    const counted = (await metrics.dlqMessages.get()).values;
    assert.deepEqual(
      counted.map(({ labels, value: n }) => [labels, n]),
      [[{ topic: 'orders', reason: 'bad-magic-byte' }, 1]],
    );
  });
});
