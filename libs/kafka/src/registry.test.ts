import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import {
  createRegistry,
  createRegistryAdmin,
  isTransientRegistryError,
  registryReason,
  RegistryHttpError,
  SchemaIncompatibleError,
} from './registry.js';

/** A record schema to register and read back: any will do; this one is named as the shop's orders are. */
const OrderSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'chippy',
  fields: [{ name: 'order_id', type: 'string' }],
} as const;

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

describe('a schema the registry refuses as incompatible', () => {
  const apicurioReason =
    'io.apicurio.registry.rules.RuleViolationException: Incompatible artifact: orders-value [AVRO], reader type: STRING not compatible with writer type: INT at /fields/2/type';
  const { server, requests } = fakeRegistryServer((req) => {
    const route = `${req.method} ${req.url}`;
    if (route === 'GET /config/orders-value') return { status: 200, body: { compatibilityLevel: 'NONE' } };
    if (route === 'POST /subjects/orders-value/versions')
      return { status: 409, body: { error_code: 409, message: apicurioReason } };
    // Confluent: no level of the subject's own (404), the registry's default FULL_TRANSITIVE.
    if (route === 'GET /config/payments-value')
      return { status: 404, body: { error_code: 40408, message: 'none' } };
    if (route === 'GET /config') return { status: 200, body: { compatibilityLevel: 'FULL_TRANSITIVE' } };
    if (route === 'POST /compatibility/subjects/payments-value/versions/latest?verbose=true')
      return { status: 200, body: { is_compatible: false, messages: ['one', 'two'] } };
    if (route === 'POST /compatibility/subjects/new-value/versions/latest?verbose=true')
      return { status: 404, body: { error_code: 40401, message: 'Subject not found' } };
    if (req.url?.startsWith('/subjects/gone-value')) return { status: 200, body: [1, 2] };
    return { status: 404, body: { error_code: 40403, message: 'not found' } };
  });
  let uri = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    uri = `http://u:pw@127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('is one line naming the subject, the level and the reason, not retried', async () => {
    const registry = createRegistry({ registryUri: uri, logger: captureLogger().logger });
    await assert.rejects(registry.register('orders-value', JSON.stringify(OrderSchema)), (error: unknown) => {
      assert.ok(error instanceof SchemaIncompatibleError);
      assert.equal(error.subject, 'orders-value');
      assert.equal(error.level, 'NONE');
      assert.equal(
        error.message,
        'the schema registry refused the schema for subject orders-value: not compatible with its latest version under NONE compatibility: Incompatible artifact: orders-value [AVRO], reader type: STRING not compatible with writer type: INT at /fields/2/type',
      );
      return true;
    });
    assert.equal(requests.filter((r) => r.method === 'POST').length, 1, 'asked once');
  });

  it('compatibility reads Confluent and Karapace answers too, and the default level', async () => {
    requests.length = 0;
    const admin = createRegistryAdmin(uri);
    assert.equal(admin.url.includes('pw'), false);
    assert.deepEqual(await admin.compatibility('payments-value', '{}'), {
      subject: 'payments-value',
      compatible: false,
      level: 'FULL_TRANSITIVE',
      reason: 'one; two',
    });
    assert.deepEqual(await admin.compatibility('new-value', '{}'), {
      subject: 'new-value',
      compatible: 'new-subject',
    });
    const basic = `Basic ${Buffer.from('u:pw').toString('base64')}`;
    assert.ok(
      requests.length > 0 && requests.every((r) => r.authorization === basic),
      'basic auth from the URI',
    );
  });

  it('deletes a subject softly, then for good', async () => {
    requests.length = 0;
    assert.equal(await createRegistryAdmin(uri).deleteSubject('gone-value'), true);
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.url}`),
      ['DELETE /subjects/gone-value', 'DELETE /subjects/gone-value?permanent=true'],
    );
    assert.equal(await createRegistryAdmin(uri).deleteSubject('never-value'), false);
  });

  it('registryReason drops the client id and the Java exception class', () => {
    assert.equal(registryReason(`chippy - ${apicurioReason}`), apicurioReason.replace(/^\S+: /, ''));
  });
});
