import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import { faultAt } from './fault.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('PREPARER_FAULT', () => {
  it('after-send: the first batch of two or more dies after its send, once; a batch of one never', async () => {
    const { logger, lines } = captureLogger();
    let kills = 0;
    const reached = faultAt('after-send', logger, () => void kills++);
    assert.equal(reached(1)('sent'), undefined, 'a batch of one goes on');
    assert.equal(reached(3)('taken'), undefined, 'not at the other step');
    const dying = reached(3)('sent');
    assert.ok(dying, 'the batch waits for the kill');
    let resolved = false;
    void dying.then(() => (resolved = true));
    await tick();
    assert.equal(kills, 1);
    assert.equal(resolved, false, 'the batch never goes on to its commit');
    const line = lines.find((l) => l.msg === 'PREPARER_FAULT: killing this preparer mid-batch');
    assert.deepEqual([line?.level, line?.step, line?.batch], ['warn', 'sent', 3]);
    assert.equal(reached(3)('sent'), undefined, 'only the first such batch');
  });

  it('after-take stops at the Redis step; none never stops', async () => {
    const { logger } = captureLogger();
    let kills = 0;
    const kill = () => void kills++;
    assert.ok(faultAt('after-take', logger, kill)(2)('taken'));
    const none = faultAt('none', logger, kill);
    assert.equal(none(500)('taken'), undefined);
    assert.equal(none(500)('sent'), undefined);
    await tick();
    assert.equal(kills, 1);
  });
});
