import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Floor, type FloorView } from '@chippy/floor';
import { render } from 'ink-testing-library';
import { FloorApp } from './app.js';
import { FloorScreen } from './screen.js';

const T0 = 1_700_000_000_000;

function shopFloor(): Floor {
  const floor = new Floor();
  floor.setPreparers(
    [{ memberId: 'm-1', label: 'chippy-preparer 1111', partitions: [0, 1, 2] }],
    new Map([[0, 4]]),
    T0,
  );
  const order = { order_id: 'o-1', till: 'till-1', count: 1, order_time: T0, items: ['chips & chips'] };
  floor.order(order, 0, T0);
  floor.ready({ ...order, preparer: 'preparer-1', prepare_started: T0, ready_time: T0, cooked: false }, T0);
  floor.order({ ...order, order_id: 'o-2', count: 2, items: ['cod & chips'] }, 1, T0);
  return floor;
}

/** Polls until `ok`, failing after 5 s (a loaded machine draws late). */
async function until(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('not drawn within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the terminal floor', () => {
  it('draws the panels side by side with their titles, figures and lines', () => {
    const view = shopFloor().view(T0);
    const { lastFrame } = render(<FloorScreen view={view} columns={120} rows={12} status="q quits" />);
    const frame = lastFrame() ?? '';
    const rows = frame.split('\n');
    // Side by side: both titles on one row, the till's left of the preparer's.
    const titles = rows.find((r) => r.includes('till-1') && r.includes('preparer-1')) ?? '';
    assert.ok(titles.indexOf('till-1') < titles.indexOf('preparer-1'), frame);
    assert.match(frame, /1\/min · lag 4 · p0,1,2/);
    assert.match(frame, /Order till-1\/1: large chips/);
    assert.match(frame, /Order ready till-1\/1: large chips/);
    assert.match(frame, /Order till-1\/2: cod & chips/);
    assert.match(frame, /q quits/);
  });

  it('shows the newest lines that fit the height, newest at the bottom', () => {
    const floor = new Floor();
    for (let i = 1; i <= 30; i++) {
      floor.order({ order_id: `o${i}`, till: 't', count: i, order_time: T0, items: ['chips'] }, 0, T0);
    }
    const { lastFrame } = render(<FloorScreen view={floor.view(T0)} columns={60} rows={11} status="" />);
    const frame = lastFrame() ?? '';
    // Shorter than the terminal, so Ink redraws in place.
    assert.ok(frame.split('\n').length < 11, frame);
    assert.match(frame, /Order t\/30: chips/);
    assert.match(frame, /Order t\/26: chips/);
    assert.doesNotMatch(frame, /Order t\/25: chips/);
    assert.ok(frame.indexOf('t/26') < frame.indexOf('t/30'));
  });

  it('leaves out the panels that do not fit the width, and says how many', () => {
    const floor = new Floor();
    for (let t = 1; t <= 8; t++) {
      floor.order(
        { order_id: `o${t}`, till: `till-${t}`, count: 1, order_time: T0, items: ['chips'] },
        0,
        T0,
      );
    }
    const { lastFrame } = render(
      <FloorScreen view={floor.view(T0)} columns={80} rows={10} status="q quits" />,
    );
    const frame = lastFrame() ?? '';
    assert.ok(
      frame.split('\n').every((row) => row.length <= 80),
      frame,
    );
    assert.match(frame, /till-5/);
    assert.doesNotMatch(frame, /till-6/);
    assert.match(frame, /3 more panels: widen the window · q quits/);
    // A preparer is worth more than the fifth till.
    floor.setPreparers([{ memberId: 'm', label: 'preparer-x', partitions: [0] }], new Map(), T0);
    const withPreparer = render(<FloorScreen view={floor.view(T0)} columns={80} rows={10} status="" />);
    const shown = withPreparer.lastFrame() ?? '';
    assert.match(shown, /till-4/);
    assert.doesNotMatch(shown, /till-5/);
    assert.match(shown, /preparer-x/);
    assert.match(shown, /4 more panels/);
  });

  it('says it is waiting when no panel is known yet', () => {
    const empty: FloorView = { panels: [] };
    const { lastFrame } = render(<FloorScreen view={empty} columns={80} rows={10} status="" />);
    assert.match(lastFrame() ?? '', /Waiting for the shop/);
  });

  it('redraws from the floor as it changes, and quits on q', async () => {
    const floor = new Floor();
    let quits = 0;
    const { lastFrame, stdin, unmount } = render(
      <FloorApp read={() => floor.view(T0)} intervalMs={20} status="" onQuit={() => (quits += 1)} />,
    );
    try {
      floor.order({ order_id: 'x', till: 'till-9', count: 3, order_time: T0, items: ['chips'] }, 0, T0);
      await until(() => /Order till-9\/3: chips/.test(lastFrame() ?? ''));
      stdin.write('q');
      await until(() => quits === 1);
    } finally {
      // An interval left running would keep the test process alive.
      unmount();
    }
  });

  it('never passes an escape sequence from a till id or a name to the terminal', () => {
    const floor = new Floor();
    const clipboard = 'till\u001b]52;c;cm0gLXJmIH4=\u0007'; // OSC 52: writes the viewer's clipboard
    const title = 'till\u001b]0;pwned\u0007\u009b2J'; // OSC 0 sets the window title; C1 CSI clears it
    for (const [i, till] of [clipboard, title].entries()) {
      const order = { order_id: `o${i}`, till, count: 1, order_time: T0, items: ['chips'] };
      floor.order(order, 0, T0);
      floor.ready(
        { ...order, preparer: `p\u001b]0;x\u0007`, prepare_started: T0, ready_time: T0, cooked: false },
        T0,
      );
    }
    const { lastFrame } = render(<FloorScreen view={floor.view(T0)} columns={200} rows={12} status="" />);
    const frame = lastFrame() ?? '';
    assert.ok(!frame.includes('\u001b]'), 'no OSC sequence');
    assert.ok(!frame.includes('\u0007') && !frame.includes('\u009b'), 'no BEL, no C1 control');
    assert.match(frame, /till\uFFFD\]52;c;/, 'the id shown, its control characters replaced');
  });
});
