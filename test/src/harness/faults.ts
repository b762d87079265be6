// Faults for the fault tests: stop or kill the native stack's broker and Connect worker, a registry that is
// not there yet, a `connectors watch` whose exit code is kept, and the shop's end-to-end invariant.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { endpoints as stackEndpoints, paths, up } from '@chippy/local-stack';
import { kafka as stackKafka } from '@chippy/local-stack/components/kafka';
import { query } from './database.js';
import { endpointsFromEnv } from './endpoints.js';
import { testKafka } from './kafka.js';
import { duplicatesOf, type isolatedShop } from './shop.js';
import { readTopic, type RawMessage } from './topics.js';

type StackComponent = 'kafka' | 'connect';

/** The pid of the native stack's own process for a component (pid file + marker check), or undefined. */
function stackPid(component: StackComponent): number | undefined {
  const file = path.join(paths.run, `${component}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(`-Dchippy.stack.component=${component}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a test may not stop or kill a stack component: the endpoints under test are not the native stack's,
 * or this stack did not start that component (someone else's broker). undefined = it may.
 */
export function whyNotOwned(component: StackComponent): string | undefined {
  const env = endpointsFromEnv();
  if (
    env.KAFKA_SERVICE_URI !== stackEndpoints.KAFKA_SERVICE_URI ||
    env.CONNECT_URL !== stackEndpoints.CONNECT_URL
  )
    return `the stack under test (${env.KAFKA_SERVICE_URI}, ${env.CONNECT_URL}) is not the native stack`;
  if (stackPid(component) === undefined)
    return `the native stack's ${component} is not a process this stack started (no live pid file)`;
  return undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Stops the broker as the stack's own `down` does: SIGTERM to its process group (a clean KRaft shutdown),
 * SIGKILL only if it is still there after 20 s. Resolves with how long the stop took.
 */
export async function stopBroker(): Promise<number> {
  const began = Date.now();
  if (!(await stackKafka().stop())) throw new Error('the native stack has no broker process to stop');
  return Date.now() - began;
}

/** SIGKILL to the stack component's JVM (its whole process group); resolves once it is gone. */
export async function killStackComponent(component: StackComponent): Promise<void> {
  const pid = stackPid(component);
  if (pid === undefined) throw new Error(`no ${component} process of the native stack to kill`);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  while (alive(pid)) await sleep(100);
}

/** `up()`: starts whatever does not answer and waits for it. Resolves with how long it took. */
export async function stackUp(log: (line: string) => void = () => undefined): Promise<number> {
  const began = Date.now();
  await up(log);
  return Date.now() - began;
}

/**
 * A registry address with nothing behind it until `open()`: then an HTTP forwarder to the real registry
 * listens there. `uri` is SCHEMA_REGISTRY_URI for the services.
 */
export async function lateRegistry() {
  const target = new URL(endpointsFromEnv().SCHEMA_REGISTRY_URI);
  // Take a free port from the kernel, then release it until open().
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  let server: Server | undefined;
  return {
    port,
    uri: `http://127.0.0.1:${port}${target.pathname}`,
    async open() {
      server = createServer((req, res) => {
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
          },
          (reply) => {
            res.writeHead(reply.statusCode ?? 502, reply.headers);
            reply.pipe(res);
          },
        );
        upstream.on('error', () => res.writeHead(502).end());
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

/** A service's /readyz status code. */
export async function readyz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

/** Every message now on `topic` (up to the end offsets at the time of the call). */
export async function readToEnd(topic: string): Promise<RawMessage[]> {
  const admin = testKafka('test-ends').admin();
  await admin.connect();
  let ends;
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const wanted = ends.filter((e) => Number(e.high) > 0);
  // readTopic asks `done` only as messages arrive: on an empty topic it would wait for the next one.
  if (wanted.length === 0) return [];
  return readTopic(
    topic,
    (m) =>
      wanted.every((e) =>
        m.some((x) => x.partition === e.partition && Number(x.offset) >= Number(e.high) - 1),
      ),
    { settleMs: 0 },
  );
}

/** The group's committed offset per partition of `topic` (-1 where none). */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = testKafka('test-committed').admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** The `orders` rows' order_ids once there are at least `count` (or at the deadline). */
export async function rowIdsWhen(dbUrl: string, count: number, timeoutMs = 120_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await query<{ order_id: string }>(dbUrl, 'select "order_id" from "orders"').catch(() => []);
    if (rows.length >= count || Date.now() > deadline) return rows.map((r) => r.order_id);
    await sleep(1000);
  }
}

/**
 * The invariant: every order on `<prefix>orders` (at least `atLeast` of them, all there are once
 * they have arrived) is ready exactly once on `orders-ready` and is exactly one row in PostgreSQL.
 * Returns the order count.
 */
export async function assertEveryOrderOnceEverywhere(
  shop: ReturnType<typeof isolatedShop>,
  dbUrl: string,
  atLeast: number,
): Promise<number> {
  const orders = await shop.orders(atLeast);
  const ids = orders.map((o) => o.order_id);
  assert.ok(orders.length >= atLeast, `at least ${atLeast} orders on the topic, found ${orders.length}`);
  assert.deepEqual(duplicatesOf(ids), [], 'no order placed twice');
  const { ready } = await shop.ready(ids);
  const readyIds = ready.map((r) => r.order_id);
  assert.deepEqual(duplicatesOf(readyIds), [], 'no order ready twice');
  assert.deepEqual(new Set(readyIds), new Set(ids), 'every order ready, and nothing else');
  const rows = await rowIdsWhen(dbUrl, ids.length);
  // order_id is the table's primary key, so a row per order is "exactly once".
  assert.equal(rows.length, ids.length, 'one row per order in PostgreSQL');
  assert.deepEqual(new Set(rows), new Set(ids), 'the rows are the orders');
  return ids.length;
}
