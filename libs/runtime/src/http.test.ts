import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startHttpServer, sendJson } from './http.js';
import { captureLogger } from './testing/logs.js';
import { createMetrics } from './metrics.js';

describe('startHttpServer', () => {
  it('serves metrics, health, readiness, extra routes and 404', async () => {
    const { registry } = createMetrics('test');
    const { logger, lines } = captureLogger();
    let ready: boolean | Error = false;
    const server = await startHttpServer({
      port: 0,
      registry,
      logger,
      ready: () => {
        if (ready instanceof Error) throw ready;
        return ready;
      },
      routes: (req, res) => {
        if (req.url !== '/totals') return false;
        sendJson(res, 200, { cod: 3 });
        return true;
      },
    });
    const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
    try {
      assert.ok(server.port > 0);
      assert.equal(lines.find((line) => line.msg === 'http server listening')?.port, server.port);

      const metrics = await get('/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
      assert.match(await metrics.text(), /process_cpu_seconds_total/);

      assert.deepEqual(await (await get('/healthz')).json(), { status: 'ok' });

      const notReady = await get('/readyz');
      assert.equal(notReady.status, 503);
      assert.deepEqual(await notReady.json(), { ready: false });
      ready = true;
      assert.equal((await get('/readyz')).status, 200);
      ready = new Error('probe broke');
      assert.equal((await get('/readyz')).status, 503);

      assert.deepEqual(await (await get('/totals')).json(), { cod: 3 });
      assert.equal((await get('/nope')).status, 404);
    } finally {
      await server.close();
    }
  });

  it('answers 500 when a route throws, and logs why as err', async () => {
    const { registry } = createMetrics('test');
    const { logger, lines } = captureLogger();
    const server = await startHttpServer({
      port: 0,
      registry,
      logger,
      ready: () => true,
      routes: () => Promise.reject(new Error('the page broke')),
    });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/`);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: 'internal error' });
      const line = lines.find((l) => l.msg === 'http request failed');
      assert.equal(line?.err, 'the page broke');
      assert.equal(line?.url, '/');
    } finally {
      await server.close();
    }
  });
});
