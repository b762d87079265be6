// Security: the services against a broker secured as Aiven secures one — TLS with client
// certificates (`-k host:port -d certs`), SASL SCRAM over TLS — clear errors for a wrong or missing
// certificate and a wrong password, and registry credentials that are sent but never logged or exported.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';
import { createKafka, type KafkaConfig } from '@chippy/kafka';
import { shopSerde, type OrderReady, OrderReadySchema, topicNames } from '@chippy/shop';
import { makeTestCerts, type TestCerts } from './harness/certs.js';
import { endpointsFromEnv } from './harness/endpoints.js';
import { testLogger, uniqueName } from './harness/kafka.js';
import { startSecureBroker, type SecureBroker } from './harness/secure-broker.js';
import {
  httpPortOf,
  joinedCooks,
  joinedPreparers,
  servicesPerTest,
  type RunningService,
} from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';
import { until } from './harness/until.js';

describe('security', () => {
  const start = servicesPerTest();
  let dir: string;
  let certs: TestCerts;
  let broker: SecureBroker;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'chippy-security-'));
    const began = Date.now();
    certs = makeTestCerts(dir);
    broker = await startSecureBroker(dir, certs);
    console.error(
      `secure broker: certificates made and broker answering in ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
  });

  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
    await deleteShops(); // the cabinets in the shared Redis (the topics were on the secure broker)
  });

  const fast = { TIME_SCALE: '0', RESTOCK_INTERVAL: '1' };

  /** Reads `orders-ready` on the secure broker until every one of `count` orders has arrived. */
  async function readyOn(
    config: KafkaConfig,
    prefix: string,
    count: number,
    timeoutMs = 60_000,
  ): Promise<OrderReady[]> {
    const kafka = createKafka(config, 'security-test-reader', testLogger);
    const decode = shopSerde({
      registryUri: endpointsFromEnv().SCHEMA_REGISTRY_URI,
      format: 'avro',
      logger: testLogger,
    }).decoder<OrderReady>(OrderReadySchema);
    const consumer = kafka.consumer({
      groupId: uniqueName('security-reader'),
      allowAutoTopicCreation: false,
    });
    const ready = new Map<string, OrderReady>();
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: topicNames(prefix).ordersReady, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${ready.size} of ${count} orders ready within ${timeoutMs} ms`)),
          timeoutMs,
        );
        void consumer.run({
          eachMessage: async ({ message }) => {
            const r = await decode(message.value);
            ready.set(r.order_id, r);
            if (ready.size >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return [...ready.values()];
  }

  /** A shop of till, preparer and cook on the secure broker: `args` and `env` say how to reach it. */
  async function runShop(name: string, args: string[], env: NodeJS.ProcessEnv, orders = 10) {
    const shop = isolatedShop(name);
    const all = { ...shop.env, ...fast, ...env };
    const cook = start('cook', `${name}-cook`, args, all);
    const preparer = start('preparer', `${name}-preparer`, args, all);
    await Promise.all([joinedCooks(cook), joinedPreparers(preparer)]);
    const till = start('till', `${name}-till`, [...args, '--orders', String(orders), '--plaice'], all);
    assert.deepEqual(await till.exited, { code: 0, signal: null }, 'till exit');
    return { shop, services: [till, preparer, cook] };
  }

  const sslConfig = (): KafkaConfig => ({
    kafkaUri: broker.ssl,
    certsDir: certs.clientDir,
    saslMechanism: 'none',
    saslUsername: '',
    saslPassword: '',
  });

  it('SSL with client certificates (Aiven layout): the services work given only -k host:port -d certs', async () => {
    const { shop, services } = await runShop('ssl', ['-k', broker.ssl, '-d', certs.clientDir], {});
    const ready = await readyOn(sslConfig(), shop.prefix, 10);
    assert.equal(ready.length, 10);
    for (const s of services) {
      assert.deepEqual(
        // kafkajs logs a fresh broker's passing answers (e.g. "not the correct coordinator") as errors, and
        // a consumer meeting a group coordinator still loading crashes and is restarted (restart: true).
        s.logs().filter((e) => e.level === 'error' && e.component !== 'kafkajs' && e.restart !== true),
        [],
        `${s.name}: no error lines of its own`,
      );
    }
  });

  it('SASL SCRAM-SHA-256 and -512 over TLS (ca.pem only): the services work with the right password', async () => {
    const scram = (mechanism: string) => ({
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: broker.scram.username,
      KAFKA_SASL_PASSWORD: broker.scram.password,
    });
    const shop = isolatedShop('scram');
    const base = { ...shop.env, ...fast };
    const args = ['-k', broker.saslSsl, '-d', certs.caOnlyDir];
    const cook = start('cook', 'scram-cook', args, { ...base, ...scram('scram-sha-512') });
    const preparer = start('preparer', 'scram-preparer', args, { ...base, ...scram('scram-sha-256') });
    await Promise.all([joinedCooks(cook), joinedPreparers(preparer)]);
    const till = start('till', 'scram-till', [...args, '--orders', '10', '--plaice'], {
      ...base,
      ...scram('scram-sha-256'),
    });
    assert.equal((await till.exited).code, 0);
    const ready = await readyOn(sslConfig(), shop.prefix, 10);
    assert.equal(ready.length, 10);
  });

  const textOf = (e: Record<string, unknown>) =>
    `${String(e.msg)} ${typeof e.hint === 'string' ? e.hint : ''}`;

  /** Waits for the first log line saying what is wrong, and checks the service keeps trying, not ready. */
  async function clearError(
    service: RunningService,
    says: RegExp,
    began: number,
  ): Promise<{ seconds: number; line: Record<string, unknown> }> {
    const line = await service.waitForLog((e) => e.level === 'error' && says.test(textOf(e)), 20_000);
    const seconds = (Date.now() - began) / 1000;
    // Retried with backoff: a second attempt is logged too, the process stays up and is not ready.
    let attempts = 0;
    await service.waitForLog((e) => e.level === 'error' && says.test(textOf(e)) && ++attempts >= 2, 20_000);
    assert.equal(service.process.exitCode, null, `${service.name} still running`);
    const res = await fetch(`http://127.0.0.1:${await httpPortOf(service)}/readyz`);
    assert.equal(res.status, 503, `${service.name} not ready`);
    return { seconds, line };
  }

  it('a client certificate from another CA, none at all, or no TLS: a clear error line at once, retried, not a hang', async (t) => {
    const shop = isolatedShop('bad-cert');
    const env = { ...shop.env, ...fast };
    // The default certs dir (`certs`, relative) must not exist for the "no TLS at all" case.
    assert.ok(!existsSync(path.resolve('certs')), 'no ./certs in the working directory');
    const cases = [
      {
        name: 'wrong-ca',
        args: ['-d', certs.wrongClientDir],
        says: /certificate unknown.*rejected the client certificate/s,
      },
      {
        name: 'ca-only',
        args: ['-d', certs.caOnlyDir],
        says: /bad certificate.*asks for a client certificate/s,
      },
      { name: 'no-certs', args: [], says: /Closed connection.*without TLS/s },
    ];
    const results = await Promise.all(
      cases.map(async (c) => {
        const began = Date.now();
        const preparer = start('preparer', `bad-cert-${c.name}`, ['-k', broker.ssl, ...c.args], env);
        return { name: c.name, ...(await clearError(preparer, c.says, began)) };
      }),
    );
    for (const r of results)
      t.diagnostic(
        `${r.name}: "${String(r.line.msg).trim()}" — ${String(r.line.hint)} (${r.seconds.toFixed(1)} s after start)`,
      );

    // A certs dir named explicitly but missing is a configuration error.
    const missing = start(
      'preparer',
      'bad-cert-missing-dir',
      ['-k', broker.ssl, '-d', path.join(dir, 'nope')],
      env,
    );
    assert.equal((await missing.exited).code, 2);
    assert.equal(missing.lines.length, 1);
    assert.match(missing.lines[0]!, /invalid KAFKA_CERTS_DIR \(--certs-dir\): .* does not exist/);
  });

  it('SASL SCRAM with a wrong password: a clear error line at once, retried with backoff, not ready', async (t) => {
    const shop = isolatedShop('bad-scram');
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const began = Date.now();
    const preparer = start('preparer', 'bad-scram-preparer', ['-k', broker.saslSsl, '-d', certs.caOnlyDir], {
      ...shop.env,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: broker.scram.username,
      KAFKA_SASL_PASSWORD: wrong,
    });
    const { seconds, line } = await clearError(
      preparer,
      /authentication failed.*KAFKA_SASL_PASSWORD/s,
      began,
    );
    t.diagnostic(`"${String(line.msg)}" (${seconds.toFixed(1)} s after start)`);
    await preparer.waitForLog((e) => String(e.msg).startsWith('connect to Kafka failed, retrying'), 20_000);
    assert.doesNotMatch(
      preparer.lines.join('\n'),
      new RegExp(wrong),
      'the wrong password is not logged either',
    );
  });

  /**
   * A registry that wants basic auth: a proxy in front of the stack's registry that answers 401 unless the
   * request carries the expected `Authorization: Basic …`, and counts both.
   */
  async function authProxy(
    username: string,
    password: string,
    upstream = new URL(endpointsFromEnv().SCHEMA_REGISTRY_URI),
  ) {
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const counts = { authorized: 0, refused: 0 };
    const server = http.createServer((req, res) => {
      if (req.headers.authorization !== expected) {
        counts.refused++;
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
        return;
      }
      counts.authorized++;
      const { authorization: _, ...headers } = req.headers;
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: { ...headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const uri = (pw: string) =>
      `http://${username}:${encodeURIComponent(pw)}@127.0.0.1:${port}${upstream.pathname}`;
    return { counts, uri, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('registry basic auth from SCHEMA_REGISTRY_URI is sent; no secret in any log line or /metrics', async () => {
    const registryPassword = `Reg!${randomBytes(8).toString('hex')}:/x`;
    const proxy = await authProxy('chippy', registryPassword);
    try {
      const secrets = {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: broker.scram.username,
        KAFKA_SASL_PASSWORD: broker.scram.password,
        SCHEMA_REGISTRY_URI: proxy.uri(registryPassword),
        LOG_LEVEL: 'debug', // the most a service logs
      };
      const { services } = await runShop(
        'secrets',
        ['-k', broker.saslSsl, '-d', certs.caOnlyDir],
        secrets,
        5,
      );
      assert.ok(proxy.counts.authorized > 0, 'the registry was reached with the credentials');
      assert.equal(proxy.counts.refused, 0, 'no request without them');

      const forbidden = [
        registryPassword,
        encodeURIComponent(registryPassword),
        Buffer.from(`chippy:${registryPassword}`).toString('base64'),
        broker.scram.password,
      ];
      for (const s of services) {
        const texts = [s.lines.join('\n')];
        if (s.process.exitCode === null)
          texts.push(await (await fetch(`http://127.0.0.1:${await httpPortOf(s)}/metrics`)).text());
        for (const text of texts)
          for (const secret of forbidden)
            assert.ok(!text.includes(secret), `${s.name}: a secret in its output`);
        assert.ok(s.lines.length > 10, `${s.name} logged (${s.lines.length} lines)`);
      }

      // A wrong registry password: refused by the registry, said clearly, and not logged either.
      const wrongPassword = `Wrong!${randomBytes(6).toString('hex')}`;
      const shop = isolatedShop('secrets-wrong');
      const till = start(
        'till',
        'secrets-wrong-till',
        ['-k', broker.saslSsl, '-d', certs.caOnlyDir, '--orders', '1'],
        {
          ...shop.env,
          ...secrets,
          SCHEMA_REGISTRY_URI: proxy.uri(wrongPassword),
        },
      );
      // Not an outage: the till says which setting to check and stops (exit 1), rather than retrying.
      await till.waitForLog(
        (e) =>
          e.level === 'error' &&
          /refused the user name and password in SCHEMA_REGISTRY_URI/.test(String(e.err)),
        30_000,
      );
      assert.equal((await till.exited).code, 1);
      for (const secret of [wrongPassword, encodeURIComponent(wrongPassword), registryPassword])
        assert.ok(!till.lines.join('\n').includes(secret), 'the wrong password is not logged');
    } finally {
      await proxy.close();
    }
  });

  /** A program of the repository run to its end (or for `forMs`), its output and exit code. */
  function runProgram(entry: string, args: string[], env: NodeJS.ProcessEnv, forMs = 60_000) {
    return new Promise<{ code: number | null; output: string; port?: number }>((resolve) => {
      const child = spawn(process.execPath, [path.join(repoRoot, entry), ...args], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGTERM'), forMs);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  it('a password in CONNECT_URL (as Aiven gives it) is sent as basic auth and never printed; nor is one in a DATABASE_URL that does not parse', async () => {
    const password = `Conn!${randomBytes(8).toString('hex')}`;
    const proxy = await authProxy('avnadmin', password, new URL(endpointsFromEnv().CONNECT_URL));
    const forbidden = [
      password,
      encodeURIComponent(password),
      Buffer.from(`avnadmin:${password}`).toString('base64'),
    ];
    const clean = (what: string, text: string) => {
      for (const secret of forbidden) assert.ok(!text.includes(secret), `${what}: the password in ${text}`);
    };
    try {
      const connectUrl = `http://avnadmin:${encodeURIComponent(password)}@${new URL(proxy.uri(password)).host}`;
      const env = { CONNECT_URL: connectUrl, TOPIC_PREFIX: `secrets-${randomBytes(3).toString('hex')}-` };
      // `status` of a connector that is not there: Connect answered (through the proxy, authorised), exit 1.
      const status = await runProgram('connectors/dist/cli.js', ['status'], env);
      assert.match(status.output, /no such connector/);
      assert.ok(proxy.counts.authorized > 0, 'Connect reached with the credentials');
      assert.equal(proxy.counts.refused, 0);
      clean('connectors status', status.output);

      // `watch` as a service, its log and /metrics; then against a Connect that is not there (its error).
      const watch = spawn(process.execPath, [path.join(repoRoot, 'connectors/dist/cli.js'), 'watch'], {
        env: { ...process.env, ...env, HTTP_PORT: '0', CONNECTOR_WATCH_INTERVAL: '0.2', LOG_LEVEL: 'debug' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      watch.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const port = await new Promise<number>((resolve) =>
        watch.stdout.on('data', (d: Buffer) => {
          log += d.toString();
          const port = /"port":(\d+)/.exec(log)?.[1];
          if (port) resolve(Number(port));
        }),
      );
      await until(
        'watch read the status',
        () => Promise.resolve(log),
        (l) => l.includes('no such connector'),
      );
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      watch.kill('SIGTERM');
      clean('connect-watch log', log);
      clean('connect-watch /metrics', metrics);
      const unreachable = `http://avnadmin:${encodeURIComponent(password)}@127.0.0.1:1`;
      const away = await runProgram('connectors/dist/cli.js', ['status'], {
        ...env,
        CONNECT_URL: unreachable,
      });
      assert.equal(away.code, 1);
      clean('connectors status, Connect away', away.output);
    } finally {
      await proxy.close();
    }

    // A DATABASE_URL that does not parse (a space in the password): one line naming it, exit 2, no password.
    const database = 'postgres://chippy:pa ss@db host/chippy';
    for (const [entry, args] of [
      ['services/summary/dist/main.js', []],
      ['connectors/dist/cli.js', ['migrate']],
    ] as const) {
      const run = await runProgram(entry, [...args], { DATABASE_URL: database });
      assert.equal(run.code, 2, run.output);
      assert.match(run.output, /invalid DATABASE_URL \(--database-url\)/);
      assert.ok(!run.output.includes('pa ss'), run.output);
    }
  });
});
