import type { Floor } from './floor.js';
import type { PanelView } from './panel.js';

/** One update of the floor for a reader: every panel's id in order, and the panels that changed. */
export interface FloorFrame {
  order: string[];
  changed: PanelView[];
}

/** The whole floor as a frame, for a reader that has nothing yet. */
export function fullFrame(floor: Floor, nowMs: number): FloorFrame {
  const { panels } = floor.view(nowMs);
  return { order: panels.map((p) => p.id), changed: panels };
}

/**
 * Sends the floor's changes at most once per `intervalMs`, however many events arrive in between: at
 * hundreds of orders a second a reader gets a few frames a second, each with only the panels that changed
 * (a panel is at most its last lines, so a frame's size is bounded by the number of panels, not the rate).
 */
export function startFloorTicker({
  floor,
  intervalMs,
  send,
  now = Date.now,
}: {
  floor: Floor;
  intervalMs: number;
  send: (frame: FloorFrame) => void;
  now?: () => number;
}): { stop(): void } {
  const sent = new Map<string, string>();
  let lastOrder = '';
  const timer = setInterval(() => {
    const { order, changed } = floor.changes(now(), sent);
    const joined = order.join('\n');
    if (changed.length === 0 && joined === lastOrder) return;
    lastOrder = joined;
    send({ order, changed });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
