import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSseHub, sseComment, sseFrame, type SseResponse } from './sse.js';

describe('sseFrame', () => {
  it('is one data line and a blank line', () => {
    assert.equal(sseFrame('{"a":1}'), 'data: {"a":1}\n\n');
  });
  it('gives every line of the data its own field, and names the event when asked', () => {
    assert.equal(sseFrame('a\nb\r\nc', 'summary'), 'event: summary\ndata: a\ndata: b\ndata: c\n\n');
  });
  it('writes comments that EventSource ignores', () => {
    assert.equal(sseComment('keep-alive'), ': keep-alive\n\n');
  });
});

/** A response that records what is written and can be closed like a browser going away. */
function fakeResponse() {
  const written: string[] = [];
  const listeners: (() => void)[] = [];
  let status = 0;
  let ended = false;
  const res = {
    writeHead(code: number) {
      status = code;
      return res;
    },
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
    end() {
      ended = true;
      return res;
    },
    on(event: string, listener: () => void) {
      if (event === 'close') listeners.push(listener);
      return res;
    },
  };
  return {
    res: res as unknown as SseResponse,
    written,
    status: () => status,
    ended: () => ended,
    disconnect: () => listeners.forEach((l) => l()),
  };
}

describe('createSseHub', () => {
  it('sends the current summary at connect, then every broadcast', () => {
    const hub = createSseHub();
    const client = fakeResponse();
    hub.open(client.res, '{"n":1}');
    hub.broadcast('{"n":2}');
    assert.equal(client.status(), 200);
    assert.deepEqual(client.written, ['retry: 3000\n\n', 'data: {"n":1}\n\n', 'data: {"n":2}\n\n']);
    hub.close();
  });

  it('forgets a client that went away', () => {
    const hub = createSseHub();
    const gone = fakeResponse();
    const staying = fakeResponse();
    hub.open(gone.res, '1');
    hub.open(staying.res, '1');
    gone.disconnect();
    hub.broadcast('2');
    assert.equal(hub.clients(), 1);
    assert.equal(gone.written.length, 2);
    assert.equal(staying.written.length, 3);
    hub.close();
  });

  it('ends every stream on close and refuses new ones', () => {
    const hub = createSseHub();
    const client = fakeResponse();
    hub.open(client.res, '1');
    hub.close();
    assert.equal(client.ended(), true);
    assert.equal(hub.clients(), 0);
    const late = fakeResponse();
    hub.open(late.res, '1');
    assert.equal(late.status(), 503);
  });
});

describe('createSseHub against clients that do not read', () => {
  /** A client whose socket never drains: every write is buffered and reported as such. */
  function stuckResponse() {
    const client = fakeResponse();
    let buffered = 0;
    let destroyed = false;
    const res = client.res as unknown as Record<string, unknown>;
    res.write = (chunk: string) => {
      buffered += Buffer.byteLength(chunk);
      return false;
    };
    Object.defineProperty(res, 'writableLength', { get: () => buffered });
    res.destroy = () => {
      destroyed = true;
      return res;
    };
    return { ...client, buffered: () => buffered, destroyed: () => destroyed };
  }

  it('drops a client once what it has not read passes the bound; the others carry on', () => {
    const hub = createSseHub({ maxBufferedBytes: 10_000 });
    const stuck = stuckResponse();
    const reading = fakeResponse();
    hub.open(stuck.res, '1');
    hub.open(reading.res, '1');
    const frame = 'x'.repeat(1000);
    for (let i = 0; i < 1000; i++) hub.broadcast(frame);
    assert.equal(stuck.destroyed(), true);
    assert.ok(stuck.buffered() <= 12_000, `${stuck.buffered()} bytes buffered for it at most`);
    assert.equal(hub.clients(), 1);
    assert.equal(reading.written.length, 1002);
    hub.close();
  });

  it('refuses streams beyond the cap with 503, without making their first frame', () => {
    const hub = createSseHub({ maxClients: 2 });
    let made = 0;
    const first = () => String(++made);
    const clients = [fakeResponse(), fakeResponse(), fakeResponse()];
    for (const c of clients) hub.open(c.res, first);
    assert.deepEqual(
      clients.map((c) => c.status()),
      [200, 200, 503],
    );
    assert.equal(made, 2);
    clients[0]!.disconnect();
    const again = fakeResponse();
    hub.open(again.res, first);
    assert.equal(again.status(), 200, 'a place freed is taken again');
    hub.close();
  });
});
