import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureLogger } from '@chippy/runtime/testing';
import { offsetCommits, type Committer } from './commits.js';

/** A consumer group with `next` resolved on orders/0 and uncommitted; `answer` settles each commit. */
function group(answer: () => Promise<void> = () => Promise.resolve()) {
  const state = { next: '', committed: '', sent: [] as string[] };
  const committer: Committer = {
    uncommittedOffsets: () => ({
      topics:
        state.next === state.committed
          ? []
          : [{ topic: 'orders', partitions: [{ partition: 0, offset: state.next }] }],
    }),
    commitOffsetsIfNecessary: async (offsets) => {
      const offset = offsets!.topics[0]!.partitions[0]!.offset;
      state.sent.push(offset);
      await answer();
      state.committed = offset;
    },
  };
  return { state, committer };
}

describe('offset commits', () => {
  it('interval 0: each batch commits as it ends, and the batch waits for it; nothing resolved, nothing sent', async () => {
    const g = group();
    const commits = offsetCommits({ intervalMs: 0, logger: captureLogger().logger });
    g.state.next = '5';
    await commits.batchDone(g.committer);
    assert.deepEqual(g.state, { next: '5', committed: '5', sent: ['5'] });
    await commits.batchDone(g.committer);
    assert.deepEqual(g.state.sent, ['5'], 'no commit of offsets already committed');
  });

  it('an interval: batches within it commit nothing; the next after it commits all of theirs at once', async () => {
    let clock = 0;
    const g = group();
    const commits = offsetCommits({ intervalMs: 1000, logger: captureLogger().logger, now: () => clock });
    for (const [at, next] of [
      [100, '2'],
      [600, '4'],
      [1000, '6'],
      [1500, '8'],
    ] as const) {
      clock = at;
      g.state.next = next;
      await commits.batchDone(g.committer);
    }
    commits.stop();
    assert.deepEqual(g.state.sent, ['6'], 'one commit in 1.5 s: at 1 s, with the offsets of three batches');
  });

  it('the last batch before a pause is committed by the timer, once the interval is up', async () => {
    const g = group();
    const commits = offsetCommits({ intervalMs: 30, logger: captureLogger().logger });
    await sleep(40);
    g.state.next = '3';
    await commits.batchDone(g.committer);
    g.state.next = '4';
    await commits.batchDone(g.committer);
    await sleep(100);
    commits.stop();
    assert.deepEqual(g.state.sent, ['3', '4']);
    assert.equal(g.state.committed, '4');
  });

  it('a failed commit is logged, not thrown; the next batch after the interval tries again', async () => {
    let clock = 0;
    let refuse = true;
    const g = group(() => (refuse ? Promise.reject(new Error('coordinator moved')) : Promise.resolve()));
    const { logger, lines } = captureLogger();
    const commits = offsetCommits({ intervalMs: 1000, logger, now: () => clock });
    clock = 1000;
    g.state.next = '7';
    await commits.batchDone(g.committer);
    await commits.flush().catch(() => undefined);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.err]),
      [['warn', 'offsets not committed; they are tried again', 'coordinator moved']],
    );
    refuse = false;
    clock = 2000;
    g.state.next = '9';
    await commits.batchDone(g.committer);
    await commits.flush();
    commits.stop();
    assert.equal(g.state.committed, '9');
  });

  it('flush commits everything resolved now, after the commit in flight', async () => {
    let land = () => {};
    const g = group(() => new Promise((resolve) => (land = resolve)));
    let clock = 0;
    const commits = offsetCommits({ intervalMs: 1000, logger: captureLogger().logger, now: () => clock });
    clock = 1000;
    g.state.next = '2';
    await commits.batchDone(g.committer);
    g.state.next = '3';
    const flushed = commits.flush();
    await sleep(5);
    assert.deepEqual(g.state.sent, ['2'], 'flush waits for the commit in flight');
    land();
    await sleep(5);
    land();
    await flushed;
    commits.stop();
    assert.deepEqual(g.state, { next: '3', committed: '3', sent: ['2', '3'] });
  });
});
