// Bad input: every consumer's decode path fuzzed with malformed values, each of which must land
// in `orders-dlq` with its reason while the valid messages after it are still handled; and every setting of
// every service given an invalid value must stop it with one line naming the setting and exit code 2.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '@chippy/dev-utils';
import { connectSchema, producerOptions, type AvroSchemaObject, type DecodeReason } from '@chippy/kafka';
import {
  type Cooked,
  CookedSchema,
  type CookRequest,
  CookRequestSchema,
  shopSerde,
  type Order,
  OrderSchema,
} from '@chippy/shop';
import type { Message } from 'kafkajs';
import { endpointsFromEnv } from './harness/endpoints.js';
import { testKafka, testLogger } from './harness/kafka.js';
import { metricValue } from './harness/metrics.js';
import {
  httpPortOf,
  joinedCooks,
  joinedPreparers,
  servicesPerTest,
  type ServiceName,
} from './harness/services.js';
import { deleteShops, isolatedShop } from './harness/shop.js';
import { readTopic } from './harness/topics.js';

describe('bad input', () => {
  const start = servicesPerTest();
  after(() => deleteShops());

  // --- a seeded generator -----------------------------------------------------------------------------

  /** mulberry32: small, fast and the same on every machine, so a failing seed can be replayed. */
  function seeded(seed: number) {
    let a = seed >>> 0;
    const next = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));
    const text = (n: number) => String.fromCharCode(...Array.from({ length: n }, () => int(0x20, 0x7e)));
    return { next, int, bytes, text };
  }
  type Rng = ReturnType<typeof seeded>;

  const seed = Number(process.env.FUZZ_SEED ?? 8_2026);
  const perCategory = Number(process.env.FUZZ_CASES ?? 5);

  /** A first byte that is neither Avro's magic byte 0 nor the start of a JSON object (whitespace or `{`). */
  function notAFormatByte(rng: Rng): number {
    for (;;) {
      const b = rng.int(1, 255);
      if (![0x09, 0x0a, 0x0d, 0x20, 0x7b].includes(b)) return b;
    }
  }

  interface Case {
    category: string;
    reason: DecodeReason;
    value: Buffer | null;
  }

  /**
   * The malformed values for one topic, `perCategory` of each kind (two oversized ones, at 1 MiB each).
   * `valid()` is a correctly framed Avro value for this topic; `payload()` a valid plain object.
   */
  function malformed(
    rng: Rng,
    valid: () => Buffer,
    payload: () => unknown,
    schema: AvroSchemaObject,
  ): Case[] {
    const cases: Case[] = [];
    const add = (category: string, reason: DecodeReason, make: () => Buffer | null, n = perCategory) => {
      for (let i = 0; i < n; i++) cases.push({ category, reason, value: make() });
    };
    add('random-bytes', 'bad-magic-byte', () => {
      const b = rng.bytes(rng.int(1, 300));
      b[0] = notAFormatByte(rng);
      return b;
    });
    add('wrong-magic-byte', 'bad-magic-byte', () => {
      const b = valid();
      b[0] = notAFormatByte(rng);
      return b;
    });
    add('truncated-header', 'avro-decode-failed', () => valid().subarray(0, rng.int(1, 4)));
    add('truncated-avro', 'avro-decode-failed', () => {
      const b = valid();
      return Buffer.from(b.subarray(0, rng.int(5, b.length - 1)));
    });
    add('unknown-schema-id', 'unknown-schema-id', () => {
      const b = Buffer.concat([Buffer.alloc(5), rng.bytes(rng.int(0, 100))]);
      b.writeInt32BE(rng.int(1 << 30, 0x7fffffff), 1);
      return b;
    });
    add(
      'oversized',
      'too-large',
      () => Buffer.concat([valid(), rng.bytes(1024 * 1024 + rng.int(1, 4096))]),
      2,
    );
    add('json-without-schema', 'json-missing-schema', () =>
      Buffer.from(JSON.stringify(rng.next() < 0.5 ? payload() : { payload: payload() })),
    );
    add('json-broken', 'json-parse-failed', () => {
      const whole = JSON.stringify({ schema: connectSchema(schema), payload: payload() });
      return Buffer.from(
        rng.next() < 0.5 ? whole.slice(0, rng.int(1, whole.length - 1)) : `{${rng.text(rng.int(0, 80))},`,
      );
    });
    add('json-invalid-payload', 'invalid-value', () => {
      const wrong = { ...(payload() as object), [Object.keys(payload() as object)[0]!]: rng.int(0, 1e6) };
      return Buffer.from(JSON.stringify({ schema: connectSchema(schema), payload: wrong }));
    });
    add('empty', 'empty', () => (rng.next() < 0.5 ? null : Buffer.alloc(0)));
    return cases;
  }

  const order = (items = ['cod & chips']): Order => ({
    order_id: randomUUID(),
    till: 'fuzz-till',
    count: 1,
    order_time: Date.now(),
    items,
  });

  it(`fuzz (seed ${seed}): every malformed value on every consumer's topic goes to orders-dlq with its reason; the valid ones after it are still handled`, async () => {
    const shop = isolatedShop('fuzz');
    const env = { ...shop.env, TIME_SCALE: '0', RESTOCK_INTERVAL: '1' };
    const { topics } = shop;
    const rng = seeded(seed);

    // The consumers' topics accept values over 1 MiB, so the oversized ones reach the consumers (the
    // decoders' limit is 1 MiB); the services find them existing and leave them as they are.
    const admin = testKafka('fuzz-admin').admin();
    await admin.connect();
    const roomy = [{ name: 'max.message.bytes', value: String(4 * 1024 * 1024) }];
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.orders, numPartitions: 6, configEntries: roomy },
        { topic: topics.cooked, numPartitions: 3, configEntries: roomy },
        { topic: topics.cookRequests, numPartitions: 3, configEntries: roomy },
      ],
    });
    await admin.disconnect();

    const serde = shopSerde({
      registryUri: endpointsFromEnv().SCHEMA_REGISTRY_URI,
      format: 'avro',
      logger: testLogger,
    });
    const encodeOrder = await serde.encoder<Order>(topics.orders, OrderSchema);
    const encodeCooked = await serde.encoder<Cooked>(topics.cooked, CookedSchema);
    const encodeRequest = await serde.encoder<CookRequest>(topics.cookRequests, CookRequestSchema);
    const cookedOf = (o: Order): Cooked => ({
      order: o,
      cooked: { cod: 1, chips: 1 },
      cook: 'fuzz-cook',
      prepare_started: Date.now(),
      attempt: 1,
    });
    const requestOf = (o: Order): CookRequest => ({
      order: o,
      short: { cod: 1 },
      preparer: 'fuzz-preparer',
      prepare_started: Date.now(),
      attempt: 1,
    });
    // Valid Avro that breaks the shop's rules (libs/shop/src/valid.ts): never prepared, never cooked.
    const ruleBreakers: ((o: Order) => Order)[] = [
      (o) => ({ ...o, items: ['haddock & chips'] }),
      (o) => ({ ...o, items: [['constructor', '__proto__', 'toString', 'hasOwnProperty'][rng.int(0, 3)]!] }),
      (o) => ({ ...o, items: [] }),
      (o) => ({ ...o, items: Array<string>(rng.int(11, 500)).fill('chips') }),
      (o) => ({ ...o, count: -rng.int(0, 2 ** 31 - 1) }),
      (o) => ({ ...o, order_id: rng.text(rng.int(0, 40)) }),
      (o) => ({ ...o, payment: rng.text(rng.int(1, 20)) }),
      (o) => ({ ...o, till: rng.text(rng.int(101, 100_000)) }),
      (o) => ({ ...o, till: `till\u001b]52;c;${Buffer.from(rng.text(8)).toString('base64')}\u0007` }),
    ];
    const breakRule = (o: Order) => ruleBreakers[rng.int(0, ruleBreakers.length - 1)]!(o);

    const sample = { orders: await encodeOrder(order()), cooked: await encodeCooked(cookedOf(order())) };
    const sampleRequest = await encodeRequest(requestOf(order()));
    const targets = [
      {
        topic: topics.orders,
        partitions: 6,
        service: 'preparer',
        valid: () => Buffer.from(sample.orders),
        payload: () => order(),
        schema: OrderSchema,
        good: async (o: Order) => encodeOrder(o),
        broken: async () => encodeOrder(breakRule(order())),
      },
      {
        topic: topics.cooked,
        partitions: 3,
        service: 'preparer',
        valid: () => Buffer.from(sample.cooked),
        payload: () => cookedOf(order()),
        schema: CookedSchema,
        good: async (o: Order) => encodeCooked(cookedOf(o)),
        broken: async () => encodeCooked(cookedOf(breakRule(order()))),
      },
      {
        topic: topics.cookRequests,
        partitions: 3,
        service: 'cook',
        valid: () => Buffer.from(sampleRequest),
        payload: () => requestOf(order()),
        schema: CookRequestSchema,
        good: async (o: Order) => encodeRequest(requestOf(o)),
        // Half break the order's rules, half forge what the cook should fry (2³¹−1 plaice).
        broken: async () =>
          encodeRequest(
            rng.next() < 0.5
              ? requestOf(breakRule(order()))
              : { ...requestOf(order()), short: { plaice: rng.int(1, 2 ** 31 - 1) } },
          ),
      },
    ];

    // What is sent: per partition, two malformed values then a valid one, ending with a valid one, so every
    // malformed value has a valid message after it in its own partition.
    const bad = new Map<string, { topic: string; service: string } & Case>();
    const goodIds: string[] = [];
    const plan: { topic: string; messages: (Message & { partition: number })[] }[] = [];
    for (const t of targets) {
      const cases = malformed(rng, t.valid, t.payload, t.schema);
      for (let i = 0; i < perCategory * 2; i++)
        cases.push({ category: 'breaks-a-rule', reason: 'invalid-value', value: await t.broken() });
      const perPartition: Case[][] = Array.from({ length: t.partitions }, () => []);
      // Shuffled, so categories mix within partitions.
      for (const c of cases.sort(() => rng.next() - 0.5)) perPartition[rng.int(0, t.partitions - 1)]!.push(c);
      const messages: (Message & { partition: number })[] = [];
      for (const [partition, list] of perPartition.entries()) {
        for (let i = 0; i < list.length || i === 0; i += 2) {
          for (const c of list.slice(i, i + 2)) {
            const key = `bad-${t.service}-${c.category}-${bad.size}`;
            bad.set(key, { ...c, topic: t.topic, service: t.service });
            messages.push({ key, value: c.value, partition });
          }
          const o = order();
          goodIds.push(o.order_id);
          messages.push({ key: o.order_id, value: await t.good(o), partition });
        }
      }
      plan.push({ topic: t.topic, messages });
    }

    const cook = start('cook', 'fuzz-cook', [], env);
    const preparer = start('preparer', 'fuzz-preparer', [], env);
    await Promise.all([joinedCooks(cook), joinedPreparers(preparer)]);

    const began = Date.now();
    const producer = testKafka('fuzz').producer(producerOptions());
    await producer.connect();
    for (const { topic, messages } of plan) {
      // A value over 1 MiB goes in a request of its own, in order, so no batch exceeds the topic's limit.
      let batch: typeof messages = [];
      const flush = async () => {
        if (batch.length > 0) await producer.send({ topic, messages: batch });
        batch = [];
      };
      for (const m of messages) {
        const big = (m.value?.length ?? 0) > 64 * 1024;
        if (big) await flush();
        batch.push(m);
        if (big) await flush();
      }
      await flush();
    }
    await producer.disconnect();

    const parked = await readTopic(
      topics.ordersDlq,
      (m) => [...bad.keys()].every((k) => m.some((x) => x.key === k)),
      {
        timeoutMs: 120_000,
        settleMs: 500,
      },
    );
    const { ready } = await shop.ready(goodIds);
    const seconds = (Date.now() - began) / 1000;

    const wrong: string[] = [];
    for (const [key, c] of bad) {
      const m = parked.find((x) => x.key === key)!;
      const reason = m.headers['dlq.reason']?.toString();
      if (reason !== c.reason)
        wrong.push(`${key}: ${reason} (want ${c.reason}: ${m.headers['dlq.error']?.toString()})`);
      assert.equal(m.headers['dlq.topic']?.toString(), c.topic, key);
      assert.equal(m.headers['dlq.service']?.toString(), c.service, key);
      assert.match(m.headers['dlq.error']?.toString() ?? '', /./, key);
      if (c.value === null || c.value.length === 0) assert.ok(!m.value || m.value.length === 0, key);
      else if (m.headers['dlq.value.truncated']?.toString() === 'true') {
        assert.equal(m.headers['dlq.value.bytes']?.toString(), String(c.value.length), key);
        assert.deepEqual(m.value, c.value.subarray(0, m.value!.length), `${key}: a prefix of the original`);
        // Nothing lost: the dead letter's parts, in order, are the original value.
        const parts = parked
          .filter((x) => x.key === key)
          .sort(
            (a, b) =>
              Number(a.headers['dlq.value.part']?.toString()) -
              Number(b.headers['dlq.value.part']?.toString()),
          );
        assert.equal(parts[0]?.headers['dlq.value.parts']?.toString(), String(parts.length), key);
        assert.deepEqual(Buffer.concat(parts.map((x) => x.value!)), c.value, `${key}: whole from its parts`);
      } else assert.deepEqual(m.value, c.value, `${key}: the original bytes`);
    }
    assert.deepEqual(wrong, [], 'every malformed value parked with its reason');
    assert.deepEqual(
      goodIds.filter((id) => !ready.some((r) => r.order_id === id)),
      [],
      'every valid message after them handled',
    );
    for (const s of [cook, preparer]) {
      assert.equal(s.process.exitCode, null, `${s.name} still running`);
      assert.deepEqual(
        s.logs().filter((e) => e.msg === 'consumer crashed'),
        [],
        `${s.name}: no consumer crash`,
      );
    }
    const counted =
      (await metricValue(await httpPortOf(preparer), 'chippy_dlq_messages_total')) +
      (await metricValue(await httpPortOf(cook), 'chippy_dlq_messages_total'));
    assert.ok(counted >= bad.size, `chippy_dlq_messages_total ${counted} >= ${bad.size}`);
    const categories = new Set([...bad.values()].map((c) => c.category));
    console.error(
      `fuzz seed ${seed}: ${bad.size} malformed values (${categories.size} kinds) and ${goodIds.length} valid ones over ${targets.length} topics, all handled in ${seconds.toFixed(1)} s`,
    );
  });

  // --- configuration -------------------------------------------------------------------------------

  /** An invalid value for every setting that has one. */
  const invalid: Record<string, string> = {
    KAFKA_SERVICE_URI: 'no-port-here',
    KAFKA_CERTS_DIR: '/nonexistent/chippy-certs',
    KAFKA_SASL_MECHANISM: 'gssapi',
    KAFKA_CLIENT: 'librdkafka',
    KAFKA_SASL_PLAINTEXT: 'maybe',
    SCHEMA_REGISTRY_URI: 'ftp://registry.example',
    REDIS_URL: 'http://127.0.0.1:6379',
    DATABASE_URL: 'mysql://127.0.0.1/chippy',
    TIME_SCALE: '-1',
    ORDER_FORMAT: 'xml',
    ORDER_SCHEMA_VERSION: '3',
    HTTP_PORT: '70000',
    LOG_LEVEL: 'loud',
    TOPIC_PREFIX: 'my shop/',
    TOPIC_REPLICATION_FACTOR: '0',
    ORDERS_PARTITIONS: '0',
    TILL_PLAICE: 'maybe',
    TILL_PARTITION_BY: 'customer',
    TILL_ORDERS: '-1',
    TILL_RATE: 'fast',
    PREPARER_CONCURRENCY: '0',
    PREPARER_BATCH_SIZE: '-1',
    PREPARER_FAULT: 'sometimes',
    TARGET_COD: '0',
    TARGET_CHIPS: 'lots',
    LOW_WATER_COD: '-1',
    LOW_WATER_CHIPS: '1.5',
    RESTOCK_INTERVAL: '0',
    FRYER_CAPACITY: '0',
    SUMMARY_INTERVAL: '0',
    HTTP_HOST: 'not/an address',
    HTTP_ALLOWED_HOSTS: 'shop.example.com, not a host',
    // Every reader refuses an id longer than 100 characters or holding a control character (valid.ts).
    TILL_ID: 't'.repeat(101),
    PREPARER_ID: 'p\u001b[2J',
    COOK_ID: 'c'.repeat(101),
  };

  /** Settings that take any string: there is no invalid value to give them. */
  const anyString: Record<string, string> = {
    KAFKA_SASL_USERNAME: 'any user name is valid (a missing one with a SASL mechanism is checked below)',
    KAFKA_SASL_PASSWORD: 'any password is valid (a missing one with a SASL mechanism is checked below)',
  };

  /** Settings that are each valid but not together: the environment and the setting the line must name. */
  const combinations: { env: NodeJS.ProcessEnv; named: string }[] = [
    { env: { KAFKA_SASL_MECHANISM: 'scram-sha-256' }, named: 'KAFKA_SASL_USERNAME' },
    { env: { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, named: 'KAFKA_SASL_PASSWORD' },
    // SASL without TLS (no ca.pem): refused unless explicitly allowed, as its password would travel in clear.
    {
      env: { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      named: 'KAFKA_SASL_PLAINTEXT',
    },
    { env: { LOW_WATER_COD: '10', TARGET_COD: '10' }, named: 'LOW_WATER_COD' },
    { env: { FRYER_CAPACITY: '20' }, named: 'FRYER_CAPACITY' },
  ];

  function run(service: ServiceName, args: string[], env: NodeJS.ProcessEnv = {}) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(repoRoot, `services/${service}/dist/main.js`), ...args],
        {
          // Nothing reachable: a setting that were accepted would be noticed by the process not exiting at once.
          env: { PATH: process.env.PATH, HOME: process.env.HOME, KAFKA_SERVICE_URI: '127.0.0.1:1', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 20_000,
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** The settings a service lists in --help, by environment variable. */
  async function settingsOf(service: ServiceName): Promise<string[] | undefined> {
    const { code, stdout } = await run(service, ['--help']);
    if (code !== 0) return undefined;
    return [...stdout.matchAll(/\[env ([A-Z0-9_]+)\]/g)].map((m) => m[1]!);
  }

  /** Runs at most `limit` at once: each is a Node process start on a 2-core machine. */
  async function inBatches<T>(items: (() => Promise<T>)[], limit = 4): Promise<T[]> {
    const results: T[] = [];
    for (let i = 0; i < items.length; i += limit)
      results.push(...(await Promise.all(items.slice(i, i + limit).map((f) => f()))));
    return results;
  }

  it('every setting of every service given an invalid value: one line on stderr naming it, exit code 2', async (t) => {
    const services: ServiceName[] = ['till', 'preparer', 'cook', 'summary'];
    const checks: (() => Promise<string | undefined>)[] = [];
    const unknown: string[] = [];
    let count = 0;
    for (const service of services) {
      const names = await settingsOf(service);
      assert.ok(names && names.length >= 10, `${service} lists its settings`);
      for (const name of names) {
        if (name in anyString) {
          t.diagnostic(`${service} ${name}: skipped, ${anyString[name]}`);
          continue;
        }
        const value = invalid[name];
        if (value === undefined) {
          unknown.push(`${service} ${name}`);
          continue;
        }
        count++;
        checks.push(() => expectRejected(service, { [name]: value }, name));
      }
      for (const c of combinations) {
        if (!Object.keys(c.env).every((k) => names.includes(k))) continue;
        count++;
        checks.push(() => expectRejected(service, c.env, c.named));
      }
    }
    assert.deepEqual(unknown, [], 'a setting with no invalid value in this test: add one, or to anyString');
    const failures = (await inBatches(checks)).filter((f): f is string => f !== undefined);
    assert.deepEqual(failures, []);
    t.diagnostic(`${count} invalid configurations rejected`);
  });

  async function expectRejected(
    service: ServiceName,
    env: NodeJS.ProcessEnv,
    named: string,
  ): Promise<string | undefined> {
    const { code, stdout, stderr } = await run(service, [], env);
    const shown = `${service} ${JSON.stringify(env)}: exit ${code}, stderr ${JSON.stringify(stderr)}`;
    const lines = stderr.split('\n').filter(Boolean);
    if (code !== 2) return `${shown}: want exit code 2`;
    if (lines.length !== 1) return `${shown}: want one line`;
    if (!lines[0]!.includes(named)) return `${shown}: want ${named} named`;
    // Every rejection, including settings that are wrong only together, happens before any log line.
    if (stdout !== '') return `${shown}: nothing on stdout, got ${JSON.stringify(stdout)}`;
    return undefined;
  }

  it('a port already in use is bad configuration: one line naming HTTP_PORT and the port, exit code 2', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      for (const service of ['till', 'preparer', 'cook', 'summary'] as const) {
        const { code, stderr } = await run(service, [], { HTTP_PORT: String(port) });
        const lines = stderr.split('\n').filter(Boolean);
        assert.equal(code, 2, `${service}: ${stderr}`);
        assert.equal(lines.length, 1, `${service}: one line, not a stack trace: ${stderr}`);
        assert.match(lines[0]!, new RegExp(`HTTP_PORT.*${port}`));
      }
    } finally {
      busy.close();
    }
  });
});
