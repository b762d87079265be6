import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lingeringSender } from './linger.js';

/** A send that records its batches and is acknowledged when `ack()` is called. */
function fakeSend() {
  const batches: number[][] = [];
  const acks: (() => void)[] = [];
  const send = (batch: number[]) => {
    batches.push(batch);
    return new Promise<void>((resolve) => acks.push(resolve));
  };
  return { send, batches, ack: () => acks.shift()?.() };
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('lingeringSender', () => {
  it('messages added within the linger go in one send, acknowledged together', async () => {
    const { send, batches, ack } = fakeSend();
    const sender = lingeringSender(send, { lingerMs: 20, maxBatch: 100 });
    const acked: number[] = [];
    for (const n of [1, 2, 3]) void sender.add(n).then(() => acked.push(n));
    await tick(5);
    assert.deepEqual(batches, [], 'still lingering');
    await tick(30);
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(acked, [], 'not acknowledged before the send is');
    ack();
    await tick();
    assert.deepEqual(acked, [1, 2, 3]);
  });

  it('one send in flight: what arrives meanwhile goes in the next, and a full batch goes at once', async () => {
    const { send, batches, ack } = fakeSend();
    const sender = lingeringSender(send, { lingerMs: 1000, maxBatch: 2 });
    void sender.add(1);
    void sender.add(2);
    assert.deepEqual(batches, [[1, 2]], 'full: sent without waiting for the linger');
    void sender.add(3);
    void sender.add(4);
    void sender.add(5);
    assert.equal(batches.length, 1, 'waits for the send in flight');
    assert.equal(sender.pending, 5);
    ack();
    await tick();
    assert.deepEqual(batches, [
      [1, 2],
      [3, 4],
    ]);
    ack();
    await tick();
    assert.deepEqual(batches.at(-1), [5], 'the rest at once: it has waited a send already');
    const drained = sender.drain();
    ack();
    await drained;
    assert.equal(sender.pending, 0);
  });

  it('a failed send rejects every message it carried', async () => {
    const sender = lingeringSender(() => Promise.reject(new Error('broker gone')), {
      lingerMs: 1,
      maxBatch: 10,
    });
    const results = await Promise.allSettled([sender.add(1), sender.add(2)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
  });
});
