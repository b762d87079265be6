import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { Floor } from './floor.js';
import { fullFrame, startFloorTicker, type FloorFrame } from './ticker.js';

const T0 = 1_700_000_000_000;
const order = (count: number) => ({
  order_id: `o${count}`,
  till: 'till-1',
  count,
  order_time: T0,
  items: ['chips'],
});

describe('the floor ticker', () => {
  it('sends one frame per interval however many events arrived, and none when nothing changed', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const floor = new Floor();
      const frames: FloorFrame[] = [];
      const ticker = startFloorTicker({ floor, intervalMs: 250, send: (f) => frames.push(f), now: () => T0 });
      for (let i = 1; i <= 500; i++) floor.order(order(i), 0, T0);
      mock.timers.tick(250);
      assert.equal(frames.length, 1);
      assert.equal(frames[0]?.changed[0]?.lines.length, 40, 'a panel is its last 40 lines, not 500');
      mock.timers.tick(250);
      assert.equal(frames.length, 1, 'nothing changed: no frame');
      floor.order(order(501), 0, T0);
      mock.timers.tick(250);
      assert.equal(frames.length, 2);
      assert.equal(frames[1]?.changed[0]?.lines.at(-1)?.text, 'Order till-1/501: chips');
      ticker.stop();
    } finally {
      mock.timers.reset();
    }
  });

  it('gives a new reader the whole floor in one frame', () => {
    const floor = new Floor();
    floor.order(order(1), 0, T0);
    floor.order({ ...order(1), order_id: 'x', till: 'till-2' }, 0, T0);
    const frame = fullFrame(floor, T0);
    assert.deepEqual(frame.order, ['till:till-1', 'till:till-2']);
    assert.equal(frame.changed.length, 2);
  });
});
