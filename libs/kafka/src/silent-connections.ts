import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '@chippy/runtime';
import {
  Kafka,
  type ISocketFactory,
  type KafkaConfig as KafkaJsConfig,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import { WholeSends } from './whole-sends.js';

/**
 * kafkajs's own socket keep-alive delay (node_modules/kafkajs/src/network/socketFactory.js), kept so the
 * sockets behave as kafkajs's would apart from what this module adds.
 */
const keepAliveDelayMs = 60_000;

interface Tracked {
  socket: net.Socket;
  lastDataAt: number;
}

/**
 * The sockets a Kafka client has open, by broker address, with when each last received anything.
 *
 * A broker that vanishes without closing its connections (a SIGKILLed container, a pulled cable) leaves
 * the client's sockets looking connected: the kernel retransmits into nothing for up to ~15 minutes. When a
 * request on such a socket times out, kafkajs fails that request but keeps the socket and its stale
 * metadata, so every retry is sent into the same void (kafkajs#919, https://github.com/tulios/kafkajs/pull/1783).
 * The Java client closes the connection on `request.timeout.ms`; `closeSilentSince` does the same: it
 * destroys, with an error, each socket to that broker that has received nothing since the request was
 * sent. kafkajs handles that as it handles a reset connection: it fails what was in flight with a
 * retriable connection error, refreshes its metadata and connects again (to the new leader, or to the
 * restarted broker at its new address).
 */
export class SilentConnections {
  private readonly sockets = new Map<string, Set<Tracked>>();

  /** kafkajs's socket factory, plus the bookkeeping. */
  readonly socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, keepAliveDelayMs);
    const broker = `${host}:${port}`;
    const tracked: Tracked = { socket, lastDataAt: Date.now() };
    const open = this.sockets.get(broker) ?? new Set<Tracked>();
    open.add(tracked);
    this.sockets.set(broker, open);
    socket.on('data', () => {
      tracked.lastDataAt = Date.now();
    });
    socket.once('close', () => {
      open.delete(tracked);
      if (open.size === 0 && this.sockets.get(broker) === open) this.sockets.delete(broker);
    });
    return socket;
  };

  /** Destroys the sockets to `broker` ("host:port") that have received nothing since `sentAt`; returns how many. */
  closeSilentSince(broker: string, sentAt: number): number {
    let closed = 0;
    for (const tracked of this.sockets.get(broker) ?? []) {
      if (tracked.lastDataAt >= sentAt) continue;
      const error = Object.assign(new Error(`no answer from ${broker} within the request timeout`), {
        code: 'ETIMEDOUT',
      });
      tracked.socket.destroy(error);
      closed += 1;
    }
    return closed;
  }
}

interface RequestTimeout {
  payload: { broker: string; sentAt: number; apiName: string };
}

/**
 * kafkajs's Kafka whose producers, consumers and admins close a connection a request timed out on
 * (see SilentConnections), so a client never stays stuck on a broker that is gone, and whose producers'
 * sends are whole (whole-sends.ts) when a broker goes in the middle of one.
 */
export class ReconnectingKafka extends Kafka {
  private readonly connections: SilentConnections;
  private readonly log: Logger;

  constructor(config: KafkaJsConfig, logger: Logger, connections = new SilentConnections()) {
    super({ ...config, socketFactory: connections.socketFactory });
    this.connections = connections;
    this.log = logger;
  }

  override producer(config?: ProducerConfig): Producer {
    const whole = new WholeSends(this.log);
    const producer = super.producer(whole.config(config));
    producer.on(producer.events.REQUEST_TIMEOUT, (event) => this.onRequestTimeout(event));
    return whole.producer(producer);
  }

  override consumer(...args: Parameters<Kafka['consumer']>): ReturnType<Kafka['consumer']> {
    const consumer = super.consumer(...args);
    consumer.on(consumer.events.REQUEST_TIMEOUT, (event) => this.onRequestTimeout(event));
    return consumer;
  }

  override admin(...args: Parameters<Kafka['admin']>): ReturnType<Kafka['admin']> {
    const admin = super.admin(...args);
    admin.on(admin.events.REQUEST_TIMEOUT, (event) => this.onRequestTimeout(event));
    return admin;
  }

  private onRequestTimeout({ payload }: RequestTimeout): void {
    const closed = this.connections.closeSilentSince(payload.broker, payload.sentAt);
    if (closed === 0) return;
    this.log.warn(
      { broker: payload.broker, request: payload.apiName, connections: closed },
      'no answer from a broker within the request timeout: closing its connections so the client reconnects',
    );
  }
}
