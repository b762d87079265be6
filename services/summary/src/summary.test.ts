import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partFailed, partRead, startingPart } from './part.js';
import { parseInterval } from './settings.js';
import { createBoard, type Summary } from './summary.js';

const t = (s: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, s));

describe('a part of the summary', () => {
  it('is unavailable when the first read fails', () => {
    const part = partFailed(startingPart<number>(), 'no table', t(1));
    assert.deepEqual(part, {
      status: 'unavailable',
      readAt: null,
      staleSince: t(1).toISOString(),
      error: 'no table',
      data: null,
    });
  });

  it('keeps the last good figures when reading fails, stale since the first failure', () => {
    const read = partRead(42, t(0));
    const once = partFailed(read, 'down', t(5));
    const twice = partFailed(once, 'still down', t(10));
    assert.equal(twice.status, 'stale');
    assert.equal(twice.data, 42);
    assert.equal(twice.readAt, t(0).toISOString());
    assert.equal(twice.staleSince, t(5).toISOString());
    assert.equal(twice.error, 'still down');
  });

  it('is ok again after a good read', () => {
    assert.deepEqual(partRead(43, t(15)), {
      status: 'ok',
      readAt: t(15).toISOString(),
      staleSince: null,
      error: null,
      data: 43,
    });
  });
});

describe('createBoard', () => {
  it('passes on changes that arrive together once', async () => {
    const seen: Summary[] = [];
    const board = createBoard({ intervalSeconds: 5, settleMs: 10, onChange: (s) => seen.push(s) });
    board.set('cabinet', partRead({ cod: 1, chips: 2, plaice: 0 }, t(0)));
    board.set('totals', partFailed(board.current().totals, 'no table', t(0)));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.cabinet.data?.chips, 2);
    assert.equal(seen[0]?.totals.status, 'unavailable');
    assert.equal(seen[0]?.preparers.status, 'starting');
  });
});

describe('SUMMARY_INTERVAL', () => {
  it('takes seconds above 0', () => {
    assert.equal(parseInterval('0.5'), 0.5);
    assert.throws(() => parseInterval('0'), /"0" is not a number of seconds > 0 and <= 86400/);
    assert.throws(() => parseInterval('-1'), /> 0/);
    assert.throws(() => parseInterval('soon'), /not a number/);
    assert.throws(() => parseInterval(''), /not a number/);
    assert.throws(() => parseInterval('86401'), /<= 86400/);
  });
});
