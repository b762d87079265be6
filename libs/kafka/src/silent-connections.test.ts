import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { captureLogger } from '@chippy/runtime/testing';
import { createKafka } from './kafka.js';
import { SilentConnections } from './silent-connections.js';

/** A TCP server that accepts connections and never answers, like a broker whose host has vanished. */
async function silentBroker(): Promise<{ port: number; accepted: net.Socket[]; server: net.Server }> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
    socket.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, accepted, server };
}

const closedByClient = (socket: net.Socket): Promise<unknown> =>
  socket.destroyed ? Promise.resolve() : once(socket, 'close');

describe('SilentConnections', () => {
  const servers: net.Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it('destroys only the sockets to that broker that have heard nothing since the request was sent', async () => {
    const broker = await silentBroker();
    servers.push(broker.server);
    const connections = new SilentConnections();
    const connect = (): Promise<net.Socket> =>
      new Promise((resolve) => {
        const socket = connections.socketFactory({
          host: '127.0.0.1',
          port: broker.port,
          ssl: undefined as never,
          onConnect: () => resolve(socket),
        });
        socket.on('error', () => undefined);
      });
    const silent = await connect();
    const answered = await connect();
    while (broker.accepted.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const sentAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const [, answering] = broker.accepted;
    answering!.write('an answer');
    await once(answered, 'data');

    assert.equal(connections.closeSilentSince(`127.0.0.1:${broker.port}`, sentAt), 1);
    assert.equal(connections.closeSilentSince(`127.0.0.2:${broker.port}`, sentAt), 0);
    assert.ok(silent.destroyed, 'the silent socket is destroyed');
    assert.ok(!answered.destroyed, 'a socket that heard back after the request was sent is kept');
    answered.destroy();
  });

  it('makes a kafkajs client close a connection its request timed out on, and says so (kafkajs waits at least 5 s for ApiVersions)', async () => {
    const broker = await silentBroker();
    servers.push(broker.server);
    const { logger, lines } = captureLogger('warn');
    const kafka = createKafka(
      {
        kafkaUri: `127.0.0.1:${broker.port}`,
        certsDir: '/nonexistent',
        saslMechanism: 'none',
        saslUsername: '',
        saslPassword: '',
      },
      'silent-test',
      logger,
      { requestTimeout: 300, retry: { retries: 0 } },
    );
    const admin = kafka.admin();
    await assert.rejects(admin.connect(), /timed out/);
    assert.equal(broker.accepted.length, 1);
    await closedByClient(broker.accepted[0]!);
    const warning = lines.find((line) => String(line.msg).startsWith('no answer from a broker'));
    assert.ok(warning, `a warning names the broker: ${JSON.stringify(lines)}`);
    assert.equal(warning.broker, `127.0.0.1:${broker.port}`);
    assert.equal(warning.request, 'ApiVersions');
    await admin.disconnect();
  });
});
