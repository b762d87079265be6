import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from './sleep.js';

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
