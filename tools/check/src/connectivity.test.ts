import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  checkKafkaConnect,
  checkPostgres,
  checkRedis,
  checkSchemaRegistry,
  describeFailure,
  withTimeout,
} from './connectivity.js';

async function serve(routes: Record<string, unknown>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const body = routes[req.url ?? ''];
    res
      .writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
      .end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A port nothing listens on (bound and released again). */
async function closedPort(): Promise<number> {
  const { url, server } = await serve({});
  await new Promise((resolve) => server.close(resolve));
  return Number(new URL(url).port);
}

describe('HTTP checks', () => {
  it('count registry subjects and find the JDBC sink plugin', async () => {
    const { url, server } = await serve({
      '/apis/ccompat/v7/subjects': ['orders-value'],
      '/': { version: '3.9.0' },
      '/connector-plugins': [{ class: 'io.aiven.connect.jdbc.JdbcSinkConnector' }],
    });
    try {
      assert.equal(await checkSchemaRegistry(`${url}/apis/ccompat/v7`, 1000), '1 subject');
      assert.equal(await checkKafkaConnect(url, 1000), 'version 3.9.0, JDBC sink plugin installed');
      await assert.rejects(checkSchemaRegistry(`${url}/wrong`, 1000), /HTTP 404/);
    } finally {
      server.close();
    }
  });
});

describe('failures', () => {
  it('say "connection refused" for PostgreSQL, Redis and HTTP alike', async () => {
    const port = await closedPort();
    const reasons = await Promise.all(
      [
        checkPostgres(`postgres://postgres@127.0.0.1:${port}/chippy`, 1000),
        checkRedis(`redis://127.0.0.1:${port}`, 1000),
        checkSchemaRegistry(`http://127.0.0.1:${port}`, 1000),
      ].map((check) => check.then(() => 'answered', describeFailure)),
    );
    assert.deepEqual(reasons, ['connection refused', 'connection refused', 'connection refused']);
  });

  it('keep PostgreSQL wording for a missing database', () => {
    const error = Object.assign(new Error('database "chippy" does not exist'), { code: '3D000' });
    assert.equal(describeFailure(error), 'database "chippy" does not exist');
  });

  it('unwrap kafkajs errors and strip their prefix', () => {
    const cause = Object.assign(new Error('Connection error: getaddrinfo ENOTFOUND nowhere'), {
      code: 'ENOTFOUND',
    });
    assert.equal(
      describeFailure(new Error('Connection error: getaddrinfo ENOTFOUND nowhere', { cause })),
      'host not found',
    );
    assert.equal(describeFailure(new Error('Connection error: something odd\nat line 2')), 'something odd');
  });

  it('time out slow checks', async () => {
    await assert.rejects(withTimeout(new Promise(() => undefined), 10), /no answer within 0.01 s/);
    assert.equal(await withTimeout(Promise.resolve('fine'), 10), 'fine');
  });
});
