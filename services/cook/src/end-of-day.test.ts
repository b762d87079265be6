import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import { endOfDay } from './end-of-day.js';

const left = { cod: 2, chips: 5, plaice: 0 };

describe('endOfDay', () => {
  it('at close the portions left are counted as waste and logged; the cabinet is not emptied', async () => {
    const { logger, lines } = captureLogger();
    const wasted: unknown[] = [];
    const cabinet = { levels: () => Promise.resolve({ ...left }) };
    await endOfDay({ connected: () => true, cabinet, wasted: (l) => void wasted.push(l), logger })();
    assert.deepEqual(wasted, [left]);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.waste]),
      [['info', 'end of day: waste', left]],
    );
  });

  it('without Redis the waste is unknown, and said to be', async () => {
    const { logger, lines } = captureLogger();
    const cabinet = { levels: () => Promise.reject(new Error('not asked')) };
    await endOfDay({ connected: () => false, cabinet, wasted: () => assert.fail('no waste'), logger })();
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [['warn', 'end of day: Redis not connected, waste unknown']],
    );
  });
});
