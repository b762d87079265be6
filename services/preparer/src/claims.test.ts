import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import { claimLeaseMs, claimTimes, handOverWatchdog } from './claims.js';

describe('claims', () => {
  it('the lease is the hand-over limit, the replicas catching up and the clock skew, in that sum', () => {
    assert.equal(claimLeaseMs, claimTimes.handOverLimitMs + claimTimes.replicaLagMs + claimTimes.clockSkewMs);
    assert.ok(claimTimes.handOverLimitMs < 30_000, "the limit is under the consumer's 30 s session timeout");
  });

  it('a hand-over still in hand at its deadline stops the process, with one fatal line', async () => {
    const { logger, lines } = captureLogger();
    let stopped = 0;
    const arm = handOverWatchdog(logger, 30, () => void stopped++);
    arm(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(stopped, 1);
    assert.deepEqual(
      lines.map((l) => [l.level, l.limit_ms]),
      [['fatal', 30]],
    );
  });

  it('a hand-over acknowledged in time disarms it, and the deadline counts from the claim', async () => {
    const { logger, lines } = captureLogger();
    let stopped = 0;
    const arm = handOverWatchdog(logger, 40, () => void stopped++);
    arm(Date.now())();
    const late = arm(Date.now() - 1_000);
    await new Promise((resolve) => setTimeout(resolve, 80));
    late();
    assert.equal(stopped, 1, 'only the one claimed a second before its 40 ms limit');
    assert.equal(lines.length, 1);
  });
});
