import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scaledDelay, sleep } from './time.js';

describe('scaledDelay', () => {
  it('scales a uniform duration in seconds to milliseconds', () => {
    assert.equal(
      scaledDelay(1, 1.5, 1, () => 0),
      1000,
    );
    assert.equal(
      scaledDelay(1, 1.5, 1, () => 0.5),
      1250,
    );
    assert.equal(
      scaledDelay(3, 3.2, 0.1, () => 1),
      320,
    );
    assert.equal(
      scaledDelay(3, 3.2, 0, () => 0.7),
      0,
    );
  });
});

describe('sleep', () => {
  it('waits, or ends early and resolves on abort', async () => {
    let started = Date.now();
    await sleep(30);
    assert.ok(Date.now() - started >= 25);

    const controller = new AbortController();
    started = Date.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(10_000, controller.signal);
    await sleep(10_000, controller.signal); // already aborted: no wait at all
    assert.ok(Date.now() - started < 1000);
  });
});
