import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OrderSchema } from './generated/schemas.js';
import { captureLogger } from './log-capture.js';
import { createRegistry, isTransientRegistryError, RegistryHttpError } from './registry.js';

type Handler = (req: IncomingMessage, body: string) => { status: number; body: unknown };

/** A stand-in for Apicurio's ccompat API that records every request. */
function fakeRegistryServer(handler: Handler) {
  const requests: { method: string; url: string; body: string; authorization?: string; agent?: string }[] =
    [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { authorization, 'user-agent': agent } = req.headers;
      requests.push({ method: req.method ?? '', url: req.url ?? '', body, authorization, agent });
      const reply = handler(req, body);
      res.writeHead(reply.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  return { server, requests };
}

describe('createRegistry against an Apicurio-like registry', () => {
  let subjectHasRule = false;
  const { server, requests } = fakeRegistryServer((req) => {
    const route = `${req.method} ${req.url}`;
    if (route === 'GET /apis/ccompat/v7/config/orders-value') {
      // Apicurio answers NONE for an existing subject without a compatibility rule.
      return { status: 200, body: { compatibilityLevel: subjectHasRule ? 'BACKWARD' : 'NONE' } };
    }
    if (route === 'POST /apis/ccompat/v7/subjects/orders-value/versions')
      return { status: 200, body: { id: 42 } };
    if (route === 'PUT /apis/ccompat/v7/config/orders-value') {
      subjectHasRule = true;
      return { status: 200, body: { compatibility: 'BACKWARD' } };
    }
    if (route === 'GET /apis/ccompat/v7/schemas/ids/42')
      return { status: 200, body: { schema: JSON.stringify(OrderSchema) } };
    return { status: 404, body: { error_code: 40403, message: 'not found' } };
  });
  let uri = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    uri = `http://reg:pa55@127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v7`;
  });
  after(() => server.close());

  it('registers past the compatibility pre-check, then sets BACKWARD', async () => {
    const { logger, lines } = captureLogger();
    const id = await createRegistry({ registryUri: uri, logger }).register(
      'orders-value',
      JSON.stringify(OrderSchema),
    );
    assert.equal(id, 42);
    assert.deepEqual(
      requests.map(({ method, url }) => `${method} ${url}`),
      [
        'GET /apis/ccompat/v7/config/orders-value',
        'POST /apis/ccompat/v7/subjects/orders-value/versions',
        'PUT /apis/ccompat/v7/config/orders-value',
      ],
    );
    assert.doesNotMatch(requests[1]!.agent ?? '', /confluent-schema-registry/, 'registered directly');
    assert.equal((JSON.parse(requests[2]!.body) as { compatibility: string }).compatibility, 'BACKWARD');
    assert.ok(
      requests.every(
        ({ authorization }) => authorization === `Basic ${Buffer.from('reg:pa55').toString('base64')}`,
      ),
    );
    assert.doesNotMatch(JSON.stringify(lines), /pa55/);
  });

  it('uses the library path once the subject has the rule', async () => {
    requests.length = 0;
    const { logger } = captureLogger();
    const id = await createRegistry({ registryUri: uri, logger }).register(
      'orders-value',
      JSON.stringify(OrderSchema),
    );
    assert.equal(id, 42);
    assert.deepEqual(
      requests.map(({ method }) => method),
      ['GET', 'POST', 'PUT'],
    );
    assert.match(requests[1]!.agent ?? '', /confluent-schema-registry/, 'registered by the library');
  });

  it('fetches writer schemas by id, and reports unknown ids as undefined', async () => {
    const registry = createRegistry({ registryUri: uri, logger: captureLogger().logger });
    assert.equal((await registry.getSchema(42))?.name, 'chippy.Order');
    assert.equal(await registry.getSchema(7), undefined);
  });
});

describe('isTransientRegistryError', () => {
  it('retries outages, not rejections', () => {
    assert.equal(isTransientRegistryError(new TypeError('fetch failed')), true);
    assert.equal(isTransientRegistryError(new RegistryHttpError(503, 'unavailable')), true);
    assert.equal(
      isTransientRegistryError(Object.assign(new Error('status 400: connect ECONNREFUSED'), { status: 400 })),
      true,
    );
    assert.equal(isTransientRegistryError(new RegistryHttpError(409, 'incompatible schema')), false);
    const race = "An artifact with ID 'orders-value' in group 'null' already exists.";
    assert.equal(isTransientRegistryError(new RegistryHttpError(409, race)), true);
    assert.equal(isTransientRegistryError(new RegistryHttpError(401, 'unauthorized')), false);
  });
});

describe('createRegistry against a registry that refuses the credentials', () => {
  const { server } = fakeRegistryServer(() => ({
    status: 401,
    body: { error_code: 401, message: 'Unauthorized' },
  }));
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  it('says which setting to check, without the password, and does not retry', async () => {
    const { logger, lines } = captureLogger('debug');
    const registry = createRegistry({
      registryUri: `http://reg:s3cr3t-pw@127.0.0.1:${port}/apis/ccompat/v7`,
      logger,
    });
    await assert.rejects(
      registry.register('orders-value', JSON.stringify(OrderSchema)),
      (error: Error) =>
        error instanceof RegistryHttpError &&
        error.status === 401 &&
        /refused the user name and password in SCHEMA_REGISTRY_URI/.test(error.message) &&
        !error.message.includes('s3cr3t-pw'),
    );
    await assert.rejects(registry.getSchema(7), /refused the user name and password/);
    const anonymous = createRegistry({ registryUri: `http://127.0.0.1:${port}/apis/ccompat/v7`, logger });
    await assert.rejects(anonymous.getSchema(7), /wants credentials: give them as user:password@/);
    assert.doesNotMatch(JSON.stringify(lines), /s3cr3t-pw/);
  });
});

describe('createRegistry while the registry is unreachable', () => {
  it('retries with a line naming the registry and its setting, never the password', async () => {
    // A port with nothing listening: bind one, then close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { logger, lines } = captureLogger();
    const controller = new AbortController();
    const registry = createRegistry({
      registryUri: `http://reg:s3cr3t-pw@127.0.0.1:${port}/apis/ccompat/v7`,
      logger,
      signal: controller.signal,
    });
    const registering = registry.register('orders-value', JSON.stringify(OrderSchema));
    for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('stop'));
    await assert.rejects(registering);
    const text = JSON.stringify(lines);
    assert.match(
      text,
      new RegExp(
        `registering schema for orders-value at the schema registry http://127.0.0.1:${port}/apis/ccompat/v7 \\(SCHEMA_REGISTRY_URI\\) failed, retrying`,
      ),
    );
    assert.match(text, /ECONNREFUSED/);
    assert.doesNotMatch(text, /s3cr3t-pw/);
  });
});
