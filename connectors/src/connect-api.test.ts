import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectApi } from './connect-api.js';
import { watchConnector } from './watch.js';

const password = 'Aiven!s3cret';
const expected = `Basic ${Buffer.from(`avnadmin:${password}`).toString('base64')}`;
let server: http.Server;
let port: number;
const seen: (string | undefined)[] = [];

before(async () => {
  // A Connect that wants basic auth, as Aiven's does: 401 without it, "no such connector" with it.
  server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    const ok = req.headers.authorization === expected;
    res.writeHead(ok ? 404 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: ok ? 404 : 401, message: ok ? 'not found' : 'Unauthorized' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

describe('connectApi with credentials in CONNECT_URL', () => {
  it('sends them as basic auth (fetch refuses a URL that holds them)', async () => {
    const api = connectApi(
      `https://avnadmin:${encodeURIComponent(password)}@127.0.0.1:${port}/`.replace('https', 'http'),
    );
    assert.equal(await api.status('sink'), undefined, 'reached, authorised, no such connector');
    assert.equal(seen.at(-1), expected);
  });

  it('never puts the password in an error, nor in what watch logs', async () => {
    const closed = `http://avnadmin:${encodeURIComponent(password)}@127.0.0.1:1`;
    const error = await connectApi(closed)
      .status('sink')
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    assert.ok(error, 'an unreachable Connect is an error');
    assert.ok(!error.message.includes('s3cret'), error.message);

    const stop = new AbortController();
    const lines: string[] = [];
    await watchConnector(connectApi(closed), 'sink', {
      intervalMs: 1,
      signal: stop.signal,
      log: (l) => {
        lines.push(l);
        stop.abort();
      },
    });
    assert.match(lines.join('\n'), /cannot read connector sink's status/);
    assert.ok(!lines.join('\n').includes('s3cret'), lines.join('\n'));
  });
});
