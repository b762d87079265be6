import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMetrics } from '@chippy/runtime';
import type { ProducerRecord } from 'kafkajs';
import { DLQ_MAX_VALUE_BYTES, sendToDlq } from './dlq.js';

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

  const record = () => {
    const sent: ProducerRecord[] = [];
    return { sent, producer: { send: (r: ProducerRecord) => (sent.push(r), Promise.resolve([])) } };
  };
  const parked = (value: Buffer, key = Buffer.from('k')) => ({
    dlqTopic: 'orders-dlq',
    message: { topic: 'orders', partition: 0, offset: '7', key, value, headers: { trace: 'abc' } },
    reason: 'too-large',
    error: 'value has too many bytes',
    service: 'preparer',
    counter: createMetrics('preparer').dlqMessages,
  });

  it('cuts a value over 256 KiB to its first 256 KiB and says so, so a 1 MB topic limit cannot refuse it', async () => {
    const { sent, producer } = record();
    const value = Buffer.alloc(2 * 1024 * 1024, 7);
    await sendToDlq(producer, parked(value));
    const [message] = sent[0]!.messages;
    assert.equal((message?.value as Buffer).length, DLQ_MAX_VALUE_BYTES);
    assert.equal(message?.headers?.['dlq.value.truncated'], 'true');
    assert.equal(message?.headers?.['dlq.value.bytes'], String(value.length));
    assert.equal(message?.headers?.trace, 'abc');
  });

  it('keeps a value up to the limit whole, without the truncation headers', async () => {
    const { sent, producer } = record();
    const value = Buffer.alloc(DLQ_MAX_VALUE_BYTES, 1);
    await sendToDlq(producer, parked(value));
    assert.equal(sent[0]!.messages[0]?.value, value);
    assert.equal(sent[0]!.messages[0]?.headers?.['dlq.value.truncated'], undefined);
  });

  it('sends it again without the value when the broker still refuses it as too large', async () => {
    const sent: ProducerRecord[] = [];
    const producer = {
      send: (r: ProducerRecord) => {
        sent.push(r);
        if (sent.length > 1) return Promise.resolve([]);
        return Promise.reject(Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }));
      },
    };
    await sendToDlq(producer, parked(Buffer.alloc(1000, 1)));
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.messages[0]?.value, null);
    assert.equal(sent[1]!.messages[0]?.headers?.['dlq.value.bytes'], '1000');
    assert.equal(sent[1]!.messages[0]?.headers?.['dlq.reason'], 'too-large');
  });

  it('loses nothing of an oversized value: its parts, in order and on one key, make it whole again', async () => {
    const { sent, producer } = record();
    const value = Buffer.from(Array.from({ length: 1024 * 1024 + 5 }, (_, i) => i % 251));
    await sendToDlq(producer, parked(value));
    const messages = sent.flatMap((r) => r.messages);
    assert.equal(messages.length, 5);
    assert.ok(
      sent.every((r) => r.messages.length === 1),
      'one record per send: a batch may not pass the limit',
    );
    assert.ok(messages.every((m) => String(m.key) === 'k'));
    assert.deepEqual(
      messages.map((m) => m.headers?.['dlq.value.part']),
      ['0', '1', '2', '3', '4'],
    );
    assert.ok(messages.every((m) => m.headers?.['dlq.value.parts'] === '5' && m.headers.trace === 'abc'));
    assert.deepEqual(Buffer.concat(messages.map((m) => m.value as Buffer)), value);
    assert.equal(
      messages[0]!.headers?.['dlq.value.sha256'],
      createHash('sha256').update(value).digest('hex'),
    );
  });

  it('makes the parts smaller when the broker refuses them, and keeps the small original headers if all else fails', async () => {
    const sent: ProducerRecord[] = [];
    const limit = 40 * 1024;
    const producer = {
      send: (r: ProducerRecord) => {
        const size = (r.messages[0]?.value as Buffer | null)?.length ?? 0;
        if (size > limit)
          return Promise.reject(Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }));
        sent.push(r);
        return Promise.resolve([]);
      },
    };
    const value = Buffer.alloc(300 * 1024, 3);
    await sendToDlq(producer, parked(value));
    const messages = sent.flatMap((r) => r.messages);
    assert.ok(messages.every((m) => (m.value as Buffer).length <= limit));
    assert.deepEqual(Buffer.concat(messages.map((m) => m.value as Buffer)), value);

    const refusing = {
      sent: [] as ProducerRecord[],
      send(r: ProducerRecord) {
        if (r.messages[0]?.value)
          return Promise.reject(Object.assign(new Error('no'), { type: 'MESSAGE_TOO_LARGE' }));
        this.sent.push(r);
        return Promise.resolve([]);
      },
    };
    const big = {
      ...parked(value),
      message: { ...parked(value).message, headers: { trace: 'abc', junk: 'x'.repeat(5000) } },
    };
    await sendToDlq(refusing, big);
    const last = refusing.sent[0]!.messages[0]!;
    assert.equal(last.headers?.trace, 'abc', 'small original headers kept');
    assert.equal(last.headers?.junk, undefined, 'a large one dropped');
    assert.equal(last.headers?.['dlq.value.sha256'], createHash('sha256').update(value).digest('hex'));
  });

  it('passes other send errors on (the caller retries the message)', async () => {
    const producer = { send: () => Promise.reject(new Error('broker down')) };
    await assert.rejects(sendToDlq(producer, parked(Buffer.alloc(10))), /broker down/);
  });
});
