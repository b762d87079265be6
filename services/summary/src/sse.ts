import type { ServerResponse } from 'node:http';

/**
 * One server-sent event. Each line of the data gets its own `data:` field, as the format requires (a bare
 * newline would end the field early); the blank line ends the event.
 */
export function sseFrame(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  return `${head}${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;
}

/** A comment line: ignored by EventSource, but keeps proxies and idle timeouts from closing the stream. */
export const sseComment = (text: string): string => `: ${text}\n\n`;

/** The part of a response a stream writes to (a fake in the tests). */
export type SseResponse = Pick<
  ServerResponse,
  'writeHead' | 'write' | 'end' | 'on' | 'destroy' | 'writableLength'
>;

export interface SseHub {
  /**
   * Starts a stream on `res`, sends `first` at once (made only if the stream is taken), and forgets the
   * client when it goes. Beyond `maxClients` streams the answer is 503.
   */
  open(res: SseResponse, first: string | (() => string)): void;
  /** Sends one event to every open stream. */
  broadcast(data: string): void;
  clients(): number;
  /** Ends every stream and stops the keep-alive (shutdown). */
  close(): void;
}

export interface SseLimits {
  keepAliveMs?: number;
  retryMs?: number;
  /** Open streams at most; more are refused with 503 (each holds a socket and a share of every frame). */
  maxClients?: number;
  /**
   * Bytes a stream may have waiting for its client before the client is dropped: one that does not read
   * would otherwise make the server buffer every frame sent to it, without limit.
   */
  maxBufferedBytes?: number;
}

export function createSseHub({
  keepAliveMs = 15_000,
  retryMs = 3_000,
  maxClients = 50,
  maxBufferedBytes = 1024 * 1024,
}: SseLimits = {}): SseHub {
  const streams = new Set<SseResponse>();
  let closed = false;
  /** Writes, and drops the client if what it has not read passes the bound. */
  const send = (res: SseResponse, chunk: string) => {
    if (res.write(chunk) || (res.writableLength ?? 0) <= maxBufferedBytes) return;
    streams.delete(res);
    res.destroy();
  };
  const keepAlive = setInterval(() => {
    for (const res of streams) send(res, sseComment('keep-alive'));
  }, keepAliveMs);
  keepAlive.unref();

  return {
    open(res, first) {
      if (closed) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('shutting down\n');
        return;
      }
      if (streams.size >= maxClients) {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '10' });
        res.end('too many live streams\n');
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Tells nginx-style proxies not to buffer the stream.
        'x-accel-buffering': 'no',
      });
      // How long the browser waits before reconnecting after the stream drops.
      res.write(`retry: ${retryMs}\n\n`);
      res.write(sseFrame(typeof first === 'string' ? first : first()));
      streams.add(res);
      res.on('close', () => streams.delete(res));
    },
    broadcast(data) {
      const frame = sseFrame(data);
      for (const res of streams) send(res, frame);
    },
    clients: () => streams.size,
    close() {
      closed = true;
      clearInterval(keepAlive);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
