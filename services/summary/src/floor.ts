import { Floor, fullFrame, startFloorReader, startFloorTicker } from '@chippy/floor';
import type { Serde } from '@chippy/kafka';
import { type TopicNames } from '@chippy/shop';
import type { Logger } from '@chippy/runtime';
import type { OrderReady } from '@chippy/shop';
import type { Kafka } from 'kafkajs';
import { createSseHub, type SseHub } from './sse.js';

export interface FloorFeed {
  /** The page's stream: the whole floor on connect, then the changed panels a few times a second. */
  hub: SseHub;
  /** The whole floor as one frame, for a new stream: made at most once a tick, however many connect. */
  current(): string;
  /** Stops the frames and ends the streams; the reader stops with the service's shutdown signal. */
  stop(): Promise<void>;
}

/**
 * The shop floor at /floor: a reader of the shop's topics (no group of the shop's joined, nothing
 * committed) feeding the floor, and a ticker sending what changed to every open page every `intervalMs`.
 */
export function startFloorFeed(options: {
  kafka: Kafka;
  serde: Pick<Serde, 'decoder'>;
  topics: TopicNames;
  groups: { preparers: string; cooks: string };
  prefix: string;
  logger: Logger;
  signal: AbortSignal;
  intervalMs: number;
  onReady?: (ready: OrderReady) => void;
}): FloorFeed {
  const floor = new Floor();
  const hub = createSseHub();
  const reader = startFloorReader({ ...options, admin: options.kafka.admin(), floor });
  const ticker = startFloorTicker({
    floor,
    intervalMs: options.intervalMs,
    send: (frame) => hub.broadcast(JSON.stringify(frame)),
  });
  let full = { at: -Infinity, json: '' };
  return {
    hub,
    current() {
      const now = Date.now();
      if (now - full.at >= options.intervalMs)
        full = { at: now, json: JSON.stringify(fullFrame(floor, now)) };
      return full.json;
    },
    async stop() {
      ticker.stop();
      hub.close();
      await reader.done;
    },
  };
}
