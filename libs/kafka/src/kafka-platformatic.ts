import { errorMessage, sleep, type Logger } from '@chippy/runtime';
import { kafkaJsStyleLogger } from './kafkajs-levels.js';
import {
  AssignerProtocol,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ConsumerGroupState,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type EachBatchPayload,
  type EachMessagePayload,
  type GroupDescription,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  type Message,
  type Producer,
  type ProducerBatch,
  type ProducerConfig,
  type ProducerRecord,
  type RecordMetadata,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';

/**
 * `@platformatic/kafka` (a pure-JavaScript client) behind the kafkajs-shaped interface the services use,
 * selected with KAFKA_CLIENT=platformatic. Its API is not kafkajs's; what chippy calls is bridged here:
 * - producer `send`/`sendBatch` become one `send` of Buffer keys, values and headers; keyed messages go
 *   where the Java client (and kafkajs's DefaultPartitioner) puts them, keyless ones round-robin.
 * - a consumer is a stream of messages: `run` reads what the stream holds, groups it by partition into
 *   batches for `eachBatch` (or `eachMessage`), and commits the resolved offsets after each round.
 * - consumer events GROUP_JOIN, CRASH and FETCH; admin calls that topics.ts, lag.ts, group-members.ts,
 *   the services and the floor make.
 * Not bridged, with an error saying so: transactions (DELIVERY=exactly-once is refused at start-up with
 * this client: docs/decisions/kafka-client.md says why), `pause`/`resume`, `seek` once fetching began,
 * regular-expression subscriptions, and the other kafkajs calls chippy does not make.
 */

type PlatformaticModule = typeof import('@platformatic/kafka');
let loading: Promise<PlatformaticModule> | undefined;

/** Loaded on first use: importing it costs a process on kafkajs start-up time and memory for nothing. */
const loadPlatformatic = (): Promise<PlatformaticModule> => (loading ??= import('@platformatic/kafka'));

export interface PlatformaticSecurity {
  ssl?: { ca: string[]; cert?: string; key?: string };
  sasl?: SASLOptions;
}

/** createKafka's overrides, as kafkajs names them. */
export interface PlatformaticOverrides {
  retry?: RetryOptions;
  connectionTimeout?: number;
  requestTimeout?: number;
}

const notBridged = (what: string) => new Error(`KAFKA_CLIENT=platformatic does not bridge ${what}`);

// --- errors --------------------------------------------------------------------------------------------

interface TreeError extends Error {
  errors?: unknown[];
  apiId?: string;
  canRetry?: boolean;
  type?: string;
  retriable?: boolean;
}

/** The errors of a @platformatic/kafka error tree: each with its `errors` (latest attempt last) and `cause`. */
function* errorTree(error: TreeError, depth = 0): Generator<TreeError> {
  yield error;
  if (depth > 8) return;
  for (const inner of [...(error.errors ?? []), error.cause]) {
    if (inner instanceof Error) yield* errorTree(inner, depth + 1);
  }
}

/**
 * A @platformatic/kafka error as kafkajs callers read one: its message ends with the innermost error's
 * ("Connection error" says less than "connect ECONNREFUSED …", and the TLS hints match on the latter),
 * `type` is the Kafka error name (the DLQ looks for MESSAGE_TOO_LARGE) and `retriable` is set.
 */
export function asKafkaJsError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const tree = [...errorTree(error)];
  const innermost = [...errorTree(tree.at(-1)!)].at(-1)!;
  if (innermost !== error && !error.message.includes(innermost.message)) {
    error.message = `${error.message.replace(/\.$/, '')}: ${innermost.message}`;
  }
  const named = tree.find((e) => typeof e.apiId === 'string');
  const target = error as TreeError;
  if (named && target.type === undefined) target.type = named.apiId;
  target.retriable ??= !tree.some((e) => e.canRetry === false);
  return error;
}

const explained = <T>(promise: Promise<T>): Promise<T> =>
  promise.catch((error: unknown) => {
    throw asKafkaJsError(error);
  });

// --- options -------------------------------------------------------------------------------------------

const saslMechanisms = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

/** kafkajs's retry pause: initialRetryTime, doubling on every retry, up to maxRetryTime. */
export const retryDelay =
  (initial = 300, max = 30_000) =>
  (_client: unknown, _operation: string, attempt: number): number =>
    Math.min(initial * 2 ** Math.max(0, attempt - 1), max);

/** The options every @platformatic/kafka client takes, from kafkajs-style settings. */
export function clientOptions(
  brokers: string[],
  clientId: string,
  { ssl, sasl }: PlatformaticSecurity,
  { retry = {}, connectionTimeout, requestTimeout }: PlatformaticOverrides = {},
) {
  let mapped:
    | { mechanism: (typeof saslMechanisms)[keyof typeof saslMechanisms]; username: string; password: string }
    | undefined;
  if (sasl) {
    const mechanism = saslMechanisms[sasl.mechanism as keyof typeof saslMechanisms];
    if (!mechanism || !('username' in sasl)) throw notBridged(`the SASL mechanism ${sasl.mechanism}`);
    mapped = { mechanism, username: sasl.username, password: sasl.password };
  }
  return {
    clientId,
    bootstrapBrokers: brokers,
    ...(ssl && {
      tls: { ca: ssl.ca, ...(ssl.cert && { cert: ssl.cert }), ...(ssl.key && { key: ssl.key }) },
    }),
    ...(mapped && { sasl: mapped }),
    // kafkajs's defaults where chippy relies on them: 5 s to connect (createKafka), 30 s for a request (a
    // group join waits for the other members), 10 retries from 300 ms, doubling.
    connectTimeout: connectionTimeout ?? 5000,
    timeout: requestTimeout ?? 30_000,
    retries: retry.retries ?? 10,
    retryDelay: retryDelay(retry.initialRetryTime ?? 300, retry.maxRetryTime ?? 30_000),
  };
}

// --- messages ------------------------------------------------------------------------------------------

/** A message to produce, as @platformatic/kafka takes it with its default (Buffer) serializers. */
export interface OutgoingMessage {
  topic: string;
  key?: Buffer;
  value?: Buffer;
  partition?: number;
  headers?: Map<Buffer, Buffer>;
  timestamp?: bigint;
}

/** A message as @platformatic/kafka's stream hands it over with its default (Buffer) deserializers. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key?: Buffer | null;
  value?: Buffer | null;
  headers: Map<Buffer | undefined | null, Buffer | undefined | null>;
}

const bytes = (data: Buffer | string | null | undefined): Buffer | undefined =>
  data === null || data === undefined ? undefined : typeof data === 'string' ? Buffer.from(data) : data;

/** kafkajs headers as a Map of Buffers; a header given several values is sent several times, as kafkajs does. */
function outgoingHeaders(headers: IHeaders): Map<Buffer, Buffer> {
  const out = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.set(Buffer.from(name), bytes(one)!);
  }
  return out;
}

export function outgoing(topic: string, message: Message): OutgoingMessage {
  const key = bytes(message.key);
  const value = bytes(message.value);
  return {
    topic,
    ...(key && { key }),
    ...(value && { value }),
    ...(message.partition !== undefined && message.partition !== null && { partition: message.partition }),
    ...(message.headers && { headers: outgoingHeaders(message.headers) }),
    ...(message.timestamp !== undefined && { timestamp: BigInt(message.timestamp) }),
  };
}

/** A consumed message as kafkajs hands it over: Buffers or null, string offset and timestamp. */
export function incoming(message: IncomingMessage): KafkaMessage {
  const headers: IHeaders = {};
  for (const [name, value] of message.headers) {
    if (!name || !value) continue;
    const key = name.toString();
    const previous = headers[key];
    headers[key] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return {
    key: message.key ?? null,
    value: message.value ?? null,
    timestamp: String(message.timestamp),
    attributes: 0,
    offset: String(message.offset),
    headers,
  };
}

/**
 * The partition the Java client (and kafkajs's DefaultPartitioner) gives a key: murmur2, positive, modulo
 * the partitions (@platformatic/kafka applies the modulo; its own default partitioner does not clear the
 * sign bit, so keys would land elsewhere). Keyless messages go round-robin.
 */
export function javaPartitioner<M extends { topic: string }>(
  compatibility: (message: M, key: Buffer) => number,
) {
  const next = new Map<string, number>();
  return (message: M, key: Buffer | undefined): number => {
    if (key) return compatibility(message, key);
    const partition = next.get(message.topic) ?? 0;
    next.set(message.topic, (partition + 1) % 2 ** 30);
    return partition;
  };
}

// --- producer ------------------------------------------------------------------------------------------

/** What the adapter uses of a @platformatic/kafka producer. */
export interface InnerProducer {
  metadata(options: { topics: string[] }): Promise<unknown>;
  initIdempotentProducer(options: object): Promise<unknown>;
  send(options: {
    messages: OutgoingMessage[];
    acks?: number;
  }): Promise<{ offsets?: { topic: string; partition: number; offset: bigint }[] }>;
  close(): Promise<void>;
}

const producerEvents = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const;

export function adaptProducer(
  make: () => Promise<InnerProducer>,
  idempotent: boolean,
  logger: Logger,
): Producer {
  let made: Promise<InnerProducer> | undefined;
  const inner = () => (made ??= make());
  async function send(messages: OutgoingMessage[], acks?: number): Promise<RecordMetadata[]> {
    if (messages.length === 0) return [];
    const producer = await inner();
    const result = await explained(producer.send({ messages, ...(acks !== undefined && { acks }) }));
    return (result.offsets ?? []).map(({ topic, partition, offset }) => ({
      topicName: topic,
      partition,
      errorCode: 0,
      baseOffset: String(offset),
    }));
  }
  const producer = {
    events: producerEvents,
    async connect() {
      // The client connects on first use; asking for metadata now makes a broker that cannot be reached an
      // error of `connect`, as with kafkajs. An idempotent producer gets its producer id now too.
      const client = await inner();
      await explained(client.metadata({ topics: [] }));
      if (idempotent) await explained(client.initIdempotentProducer({}));
    },
    async disconnect() {
      const closing = made;
      made = undefined;
      if (closing) await (await closing).close();
    },
    send: ({ topic, messages, acks }: ProducerRecord) =>
      send(
        messages.map((m) => outgoing(topic, m)),
        acks,
      ),
    sendBatch: ({ topicMessages = [], acks }: ProducerBatch) =>
      send(
        topicMessages.flatMap(({ topic, messages }) => messages.map((m) => outgoing(topic, m))),
        acks,
      ),
    isIdempotent: () => idempotent,
    transaction: () =>
      Promise.reject(notBridged('transactions (DELIVERY=exactly-once needs KAFKA_CLIENT=kafkajs)')),
    on(name: string) {
      throw notBridged(`the producer event ${name}`);
    },
    logger: () => kafkaJsStyleLogger(logger),
  };
  return producer;
}

// --- consumer ------------------------------------------------------------------------------------------

export interface InnerOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

/** What `run` asks of @platformatic/kafka's `consume`. */
export interface ConsumeOptions {
  topics: string[];
  mode: 'committed' | 'manual';
  offsets?: InnerOffset[];
  fallbackMode: 'earliest' | 'latest';
  autocommit: false;
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  maxWaitTime?: number;
  minBytes?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
}

/** What the adapter uses of @platformatic/kafka's message stream (a Readable in object mode). */
export interface InnerStream {
  read(): IncomingMessage | null;
  on(event: 'readable' | 'fetch' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): Promise<void>;
}

export interface InnerJoin {
  memberId: string;
  isLeader?: boolean;
  assignments?: { topic: string; partitions: number[] }[];
}

/** What the adapter uses of a @platformatic/kafka consumer. */
export interface InnerConsumer {
  metadata(options: { topics: string[] }): Promise<unknown>;
  consume(options: ConsumeOptions): Promise<InnerStream>;
  commit(options: { offsets: (InnerOffset & { leaderEpoch: number })[] }): Promise<void>;
  close(force?: boolean): Promise<void>;
  on(event: 'consumer:group:join', listener: (join: InnerJoin) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const consumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const;
const bridgedEvents: string[] = [consumerEvents.GROUP_JOIN, consumerEvents.CRASH, consumerEvents.FETCH];

type Listener = (event: { id: number; type: string; timestamp: number; payload: unknown }) => void;
type Handler = (batch: { topic: string; partition: number; messages: KafkaMessage[] }) => Promise<void>;

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;
const fromKey = (key: string) => {
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
};

/** Runs `work` on every item, at most `limit` at once; throws the first failure once all have stopped. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failed) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.error;
}

/**
 * A kafkajs-shaped group consumer over @platformatic/kafka's stream. `run` joins the group and resolves;
 * a loop then takes every message the stream has buffered (a fetch's worth or more), groups them by
 * partition and hands each group to the handler, `partitionsConsumedConcurrently` at a time, and, with
 * autoCommit, commits the offsets resolved in that round before taking the next.
 *
 * The client's own heartbeat runs on a timer, whatever a handler does, and it rejoins a rebalance at once
 * (kafkajs waits for its batches to end first). So a batch may still run when its partition has moved:
 * `isStale()` says so, messages of partitions this member no longer holds are dropped, offsets are
 * committed only for partitions it holds, and messages the stream fetches again after a join (it goes
 * back to the committed offset) are not handed over twice. A handler that throws, or a stream that
 * fails, is a CRASH with restart: the resolved offsets are committed and the consumer rejoins after a
 * pause, from the committed offsets, as kafkajs restarts.
 */
class BridgedConsumer {
  readonly events = consumerEvents;
  private readonly listeners = new Map<string, Set<Listener>>();
  private inner: InnerConsumer | undefined;
  private stream: InnerStream | undefined;
  private readonly topics: string[] = [];
  private fromBeginning: boolean | undefined;
  private readonly seeks = new Map<string, InnerOffset>();
  private running = false;
  private readonly stopped = new AbortController();
  private loop: Promise<void> | undefined;
  private autoCommit = true;
  private failures = 0;
  private eventId = 0;
  /** Partitions ("topic:partition") this member holds since its last join. */
  private assigned = new Set<string>();
  /** Per partition: the next offset to commit (the last resolved + 1), and the last committed. */
  private readonly resolved = new Map<string, bigint>();
  private readonly committed = new Map<string, bigint>();
  /** Per partition held since the join: the offset after the last message handed to the handler. */
  private readonly delivered = new Map<string, bigint>();
  private failure: Error | undefined;
  private signalled = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly make: () => Promise<InnerConsumer>,
    private readonly config: ConsumerConfig,
    private readonly logger: Logger,
  ) {
    if (config.partitionAssigners) throw notBridged('partitionAssigners');
  }

  on(name: string, listener: Listener): () => void {
    if (!bridgedEvents.includes(name)) throw notBridged(`the consumer event ${name}`);
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    return () => set.delete(listener);
  }

  private emit(name: string, payload: unknown) {
    const event = { id: ++this.eventId, type: name, timestamp: Date.now(), payload };
    for (const listener of this.listeners.get(name) ?? []) listener(event);
  }

  private async client(): Promise<InnerConsumer> {
    if (this.inner) return this.inner;
    const inner = await this.make();
    inner.on('consumer:group:join', (join) => {
      if (inner === this.inner) this.joined(join);
    });
    // The client emits `error` when it cannot rejoin its group for good: without a listener, the process dies.
    inner.on('error', (error) => {
      if (inner === this.inner) this.fail(asKafkaJsError(error) as Error);
    });
    this.inner = inner;
    return inner;
  }

  /** Checks that the brokers answer (the client connects on first use; kafkajs's `connect` fails early). */
  async connect(): Promise<void> {
    const inner = await this.client();
    await explained(inner.metadata({ topics: [] }));
  }

  subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    const topics = 'topics' in subscription ? subscription.topics : [subscription.topic];
    const fromBeginning = subscription.fromBeginning ?? false;
    if (topics.some((t) => typeof t !== 'string')) {
      return Promise.reject(notBridged('subscriptions by regular expression'));
    }
    if (this.fromBeginning !== undefined && this.fromBeginning !== fromBeginning) {
      return Promise.reject(notBridged('a different fromBeginning per subscribed topic'));
    }
    this.fromBeginning = fromBeginning;
    this.topics.push(...(topics as string[]));
    return Promise.resolve();
  }

  /**
   * Before the stream starts (kafkajs callers seek right after `run`), the partition starts at `offset`;
   * a partition not sought starts as a group without offsets does. Once fetching, seeking is not bridged.
   */
  seek({ topic, partition, offset }: { topic: string; partition: number; offset: string }): void {
    if (this.stream) throw notBridged('seek once the consumer is fetching (only right after run)');
    this.seeks.set(partitionKey(topic, partition), { topic, partition, offset: BigInt(offset) });
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    const { eachBatch, eachMessage, autoCommit = true, eachBatchAutoResolve = true } = config;
    if (this.running) throw new Error('the consumer is running already');
    if (this.topics.length === 0) throw new Error('subscribe before run');
    let handler: Handler;
    if (eachBatch) handler = (batch) => this.eachBatch(batch, eachBatch, eachBatchAutoResolve);
    else if (eachMessage) handler = (batch) => this.eachMessage(batch, eachMessage);
    else throw new Error('run needs eachBatch or eachMessage');
    // Seeks made right after `run` returns are in before the stream is made.
    await Promise.resolve();
    this.running = true;
    this.autoCommit = autoCommit;
    await this.start();
    // Disconnected while joining: what the join opened is closed again.
    if (!this.running) return this.close();
    this.loop = this.supervise(handler, config.partitionsConsumedConcurrently ?? 1);
  }

  /** Joins the group (the first `consume` does) and opens the message stream. */
  private async start(): Promise<void> {
    const inner = await this.client();
    const seeks = [...this.seeks.values()];
    this.seeks.clear();
    const { config } = this;
    const stream = await explained(
      inner.consume({
        topics: this.topics,
        ...(seeks.length > 0 ? { mode: 'manual', offsets: seeks } : { mode: 'committed' }),
        fallbackMode: this.fromBeginning ? 'earliest' : 'latest',
        autocommit: false,
        // kafkajs's group timings (the client's own are twice as long: a dead member would hold its
        // partitions for a minute).
        sessionTimeout: config.sessionTimeout ?? 30_000,
        rebalanceTimeout: config.rebalanceTimeout ?? 60_000,
        heartbeatInterval: config.heartbeatInterval ?? 3000,
        ...(config.maxWaitTimeInMs !== undefined && { maxWaitTime: config.maxWaitTimeInMs }),
        ...(config.minBytes !== undefined && { minBytes: config.minBytes }),
        ...(config.maxBytes !== undefined && { maxBytes: config.maxBytes }),
        ...(config.maxBytesPerPartition !== undefined && {
          maxBytesPerPartition: config.maxBytesPerPartition,
        }),
      }),
    );
    this.failure = undefined;
    stream.on('readable', () => this.signal());
    stream.on('fetch', () => this.emit(consumerEvents.FETCH, {}));
    stream.on('error', (error) => this.fail(asKafkaJsError(error) as Error));
    stream.on('close', () => {
      if (stream === this.stream) this.fail(new Error('the message stream closed'));
    });
    this.stream = stream;
  }

  private joined({ memberId, isLeader = false, assignments = [] }: InnerJoin) {
    this.assigned = new Set(assignments.flatMap((a) => a.partitions.map((p) => partitionKey(a.topic, p))));
    for (const map of [this.delivered, this.resolved, this.committed]) {
      for (const key of map.keys()) if (!this.assigned.has(key)) map.delete(key);
    }
    this.emit(consumerEvents.GROUP_JOIN, {
      duration: 0,
      groupId: this.config.groupId,
      isLeader,
      leaderId: isLeader ? memberId : '',
      groupProtocol: 'roundrobin',
      memberId,
      memberAssignment: Object.fromEntries(assignments.map((a) => [a.topic, a.partitions])),
    });
  }

  private signal() {
    this.signalled = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(error: Error) {
    this.failure ??= error;
    this.signal();
  }

  private async supervise(handler: Handler, concurrency: number): Promise<void> {
    while (this.running) {
      try {
        if (!this.stream) await this.start();
        await this.consume(handler, concurrency);
      } catch (error) {
        if (!this.running) return;
        this.failures += 1;
        this.emit(consumerEvents.CRASH, { error, groupId: this.config.groupId, restart: true });
        if (this.autoCommit) await this.commitResolved();
        await this.close();
        this.assigned.clear();
        this.delivered.clear();
        await sleep(retryDelay()(undefined, '', this.failures), this.stopped.signal);
      }
    }
  }

  /** Hands what the stream holds to the handler, round after round, until stopped or failed. */
  private async consume(handler: Handler, concurrency: number): Promise<void> {
    while (this.running) {
      if (this.failure) throw this.failure;
      this.signalled = false;
      const batches = this.take();
      if (batches.length === 0) {
        if (!this.signalled && !this.failure && this.running) {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
        continue;
      }
      await inParallel(batches, concurrency, handler);
      this.failures = 0;
      if (this.autoCommit) await this.commitResolved();
    }
  }

  /** Everything the stream has buffered, by partition, without what this member no longer holds or has had. */
  private take(): { topic: string; partition: number; messages: KafkaMessage[] }[] {
    const batches = new Map<string, { topic: string; partition: number; messages: KafkaMessage[] }>();
    for (let m = this.stream?.read(); m; m = this.stream?.read()) {
      const key = partitionKey(m.topic, m.partition);
      if (!this.assigned.has(key) || m.offset < (this.delivered.get(key) ?? -1n)) continue;
      this.delivered.set(key, m.offset + 1n);
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = { topic: m.topic, partition: m.partition, messages: [] }));
      batch.messages.push(incoming(m));
    }
    return [...batches.values()];
  }

  private async eachBatch(
    { topic, partition, messages }: { topic: string; partition: number; messages: KafkaMessage[] },
    handler: (payload: EachBatchPayload) => Promise<void>,
    autoResolve: boolean,
  ): Promise<void> {
    const key = partitionKey(topic, partition);
    const first = messages[0]!.offset;
    const last = messages.at(-1)!.offset;
    // The partition's high watermark is not in the stream's messages: the offset after the batch stands in.
    const next = String(BigInt(last) + 1n);
    await handler({
      batch: {
        topic,
        partition,
        highWatermark: next,
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => first,
        lastOffset: () => last,
        offsetLag: () => '0',
        offsetLagLow: () => '0',
      },
      resolveOffset: (offset) => this.resolve(key, offset),
      heartbeat: () => Promise.resolve(),
      pause: () => {
        throw notBridged('pause');
      },
      // With offsets (e.g. uncommittedOffsets()), kafkajs commits them at once, autoCommit or not.
      commitOffsetsIfNecessary: (offsets) =>
        offsets
          ? this.commitOffsets(
              offsets.topics.flatMap(({ topic, partitions }) =>
                partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
              ),
            )
          : this.autoCommit
            ? this.commitResolved()
            : Promise.resolve(),
      uncommittedOffsets: () => ({ topics: this.uncommitted() }),
      isRunning: () => this.running,
      isStale: () => !this.assigned.has(key),
    });
    if (autoResolve) this.resolve(key, last);
  }

  private async eachMessage(
    { topic, partition, messages }: { topic: string; partition: number; messages: KafkaMessage[] },
    handler: (payload: EachMessagePayload) => Promise<void>,
  ): Promise<void> {
    const key = partitionKey(topic, partition);
    for (const message of messages) {
      if (!this.running || !this.assigned.has(key)) return;
      await handler({
        topic,
        partition,
        message,
        heartbeat: () => Promise.resolve(),
        pause: () => {
          throw notBridged('pause');
        },
      });
      this.resolve(key, message.offset);
    }
  }

  private resolve(key: string, offset: string) {
    const next = BigInt(offset) + 1n;
    if (next > (this.resolved.get(key) ?? -1n)) this.resolved.set(key, next);
  }

  /** Resolved offsets not yet committed, of the partitions this member holds. */
  private pending(): (InnerOffset & { leaderEpoch: number })[] {
    return [...this.resolved]
      .filter(([key, offset]) => this.assigned.has(key) && offset > (this.committed.get(key) ?? -1n))
      .map(([key, offset]) => ({ ...fromKey(key), offset, leaderEpoch: -1 }));
  }

  private uncommitted() {
    const topics = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of this.pending()) {
      topics.set(topic, [...(topics.get(topic) ?? []), { partition, offset: String(offset) }]);
    }
    return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** Commits what was resolved; a failure is a warning, and the offsets go with the next commit. */
  private async commitResolved(): Promise<void> {
    const offsets = this.pending();
    if (offsets.length === 0 || !this.inner) return;
    try {
      await explained(this.inner.commit({ offsets }));
      for (const { topic, partition, offset } of offsets)
        this.committed.set(partitionKey(topic, partition), offset);
    } catch (error) {
      this.logger.warn(
        { groupId: this.config.groupId, err: errorMessage(error) },
        'could not commit offsets; they go with the next commit',
      );
    }
  }

  /** Commits these offsets (each the next to read) now; a failure is the caller's, as with kafkajs. */
  async commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    if (!this.inner) throw new Error('connect before commitOffsets');
    if (offsets.length === 0) return;
    await explained(
      this.inner.commit({
        offsets: offsets.map(({ topic, partition, offset }) => ({
          topic,
          partition,
          offset: BigInt(offset),
          leaderEpoch: -1,
        })),
      }),
    );
    for (const { topic, partition, offset } of offsets) {
      this.committed.set(partitionKey(topic, partition), BigInt(offset));
    }
  }

  /** Closes the stream and the client (leaving the group), each failure a warning. */
  private async close(): Promise<void> {
    const { stream, inner } = this;
    this.stream = undefined;
    this.inner = undefined;
    const warn = (what: string) => (error: unknown) =>
      this.logger.warn(
        { groupId: this.config.groupId, err: errorMessage(error) },
        `could not close the ${what}`,
      );
    await stream?.close().catch(warn('message stream'));
    await inner?.close(true).catch(warn('consumer'));
  }

  /** Stops handing over messages, waits for the handler's round to end, commits, and leaves the group. */
  async disconnect(): Promise<void> {
    this.running = false;
    this.stopped.abort();
    this.signal();
    await this.loop;
    if (this.autoCommit) await this.commitResolved();
    await this.close();
  }
}

export function adaptConsumer(
  make: () => Promise<InnerConsumer>,
  config: ConsumerConfig,
  logger: Logger,
): Consumer {
  const consumer = new BridgedConsumer(make, config, logger);
  const unbridged = (name: string) => () => {
    throw notBridged(`consumer.${name}`);
  };
  return Object.assign(consumer, {
    logger: () => kafkaJsStyleLogger(logger),
    stop: unbridged('stop'),
    describeGroup: unbridged('describeGroup'),
    pause: unbridged('pause'),
    paused: unbridged('paused'),
    resume: unbridged('resume'),
  });
}

// --- admin ---------------------------------------------------------------------------------------------

interface InnerMetadata {
  id: string;
  controllerId: number;
  brokers: Map<number, { host: string; port: number }>;
  topics: Map<
    string,
    {
      partitionsCount: number;
      partitions: { leader: number; replicas: number[]; isr: number[]; offlineReplicas: number[] }[];
    }
  >;
}

interface InnerGroup {
  id: string;
  state: string;
  protocol: string;
  protocolType: string;
  members: Map<
    string,
    {
      id: string;
      clientId: string;
      clientHost: string;
      metadata?: { version: number; topics: string[]; metadata?: Buffer | null };
      assignments?: Map<string, { topic: string; partitions: number[] }>;
    }
  >;
}

/** What the adapter uses of a @platformatic/kafka admin client. */
export interface InnerAdmin {
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<InnerMetadata>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: string[];
    partitions: number;
    replicas: number;
    configs: { name: string; value: string }[];
  }): Promise<unknown>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
  listOffsets(options: {
    topics: { name: string; partitions: { partitionIndex: number; timestamp: bigint }[] }[];
    isolationLevel?: 0 | 1;
  }): Promise<{ name: string; partitions: { partitionIndex: number; offset: bigint }[] }[]>;
  listConsumerGroupOffsets(options: {
    groups: { groupId: string; topics: { name: string; partitionIndexes: number[] }[] }[];
  }): Promise<
    {
      groupId: string;
      topics: {
        name: string;
        partitions: { partitionIndex: number; committedOffset: bigint; metadata: string | null }[];
      }[];
    }[]
  >;
  describeGroups(options: { groups: string[] }): Promise<Map<string, InnerGroup>>;
  deleteGroups(options: { groups: string[] }): Promise<void>;
  listGroups(): Promise<Map<string, { id: string; protocolType: string }>>;
  close(): Promise<void>;
}

const groupStates: ConsumerGroupState[] = [
  'Unknown',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
  'Empty',
];

/** kafkajs's group description, with the member metadata and assignment as the protocol's bytes. */
export function groupDescription(groupId: string, group: InnerGroup | undefined): GroupDescription {
  if (!group) return { groupId, members: [], protocol: '', protocolType: '', state: 'Dead' };
  return {
    groupId,
    protocol: group.protocol,
    protocolType: group.protocolType,
    // The client gives the state upper-cased; kafkajs gives it as Kafka names it.
    state: groupStates.find((s) => s.toUpperCase() === group.state.toUpperCase()) ?? 'Unknown',
    members: [...group.members.values()].map((m) => ({
      memberId: m.id,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: m.metadata
        ? AssignerProtocol.MemberMetadata.encode({
            version: m.metadata.version,
            topics: m.metadata.topics,
            userData: m.metadata.metadata ?? Buffer.alloc(0),
          })
        : Buffer.alloc(0),
      memberAssignment: m.assignments
        ? AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: Object.fromEntries([...m.assignments.values()].map((a) => [a.topic, a.partitions])),
            userData: Buffer.alloc(0),
          })
        : Buffer.alloc(0),
    })),
  };
}

const LATEST = -1n;
const EARLIEST = -2n;

export function adaptAdmin(make: () => Promise<InnerAdmin>, logger: Logger): Admin {
  let made: Promise<InnerAdmin> | undefined;
  const inner = () => (made ??= make());
  const call = async <T>(work: (admin: InnerAdmin) => Promise<T>): Promise<T> =>
    explained(work(await inner()));

  const partitionsOf = async (topic: string) => {
    const metadata = await call((a) => a.metadata({ topics: [topic] }));
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    return Array.from({ length: count }, (_, i) => i);
  };
  /** Each partition's offset at `timestamp` (LATEST, EARLIEST or ms), -1 where there is none. */
  const offsetsAt = async (topic: string, timestamp: bigint, isolationLevel: 0 | 1 = 1) => {
    const partitions = await partitionsOf(topic);
    const [found] = await call((a) =>
      a.listOffsets({
        topics: [
          { name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) },
        ],
        isolationLevel,
      }),
    );
    return new Map((found?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
  };
  const fetchTopicMetadata = async ({ topics }: { topics?: string[] } = {}) => {
    const names = topics ?? (await call((a) => a.listTopics()));
    const metadata = await call((a) => a.metadata({ topics: names, forceUpdate: true }));
    return {
      topics: names.map((name) => ({
        name,
        partitions: (metadata.topics.get(name)?.partitions ?? []).map((p, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
      })),
    };
  };

  const admin = {
    async connect() {
      await call((a) => a.metadata({ topics: [] }));
    },
    async disconnect() {
      const closing = made;
      made = undefined;
      if (closing) await (await closing).close();
    },
    listTopics: () => call((a) => a.listTopics()),
    /**
     * One request per topic (the client takes one partition count for all the topics of a request).
     * Like kafkajs: false when every topic existed already, an error typed TOPIC_ALREADY_EXISTS per topic
     * when only some did, and with waitForLeaders (the default) it returns once every partition has a
     * leader (up to 10 s).
     */
    async createTopics({
      topics,
      validateOnly,
      waitForLeaders = true,
    }: {
      topics: {
        topic: string;
        numPartitions?: number;
        replicationFactor?: number;
        configEntries?: object[];
      }[];
      validateOnly?: boolean;
      waitForLeaders?: boolean;
    }) {
      if (validateOnly) throw notBridged('createTopics with validateOnly');
      const existed: string[] = [];
      for (const { topic, numPartitions = -1, replicationFactor = -1, configEntries = [] } of topics) {
        try {
          await call((a) =>
            a.createTopics({
              topics: [topic],
              partitions: numPartitions,
              replicas: replicationFactor,
              configs: configEntries as { name: string; value: string }[],
            }),
          );
        } catch (error) {
          if ((error as TreeError).type !== 'TOPIC_ALREADY_EXISTS') throw error;
          existed.push(topic);
        }
      }
      if (existed.length === topics.length) return false;
      if (existed.length > 0) {
        throw Object.assign(new Error(`topics exist already: ${existed.join(', ')}`), {
          errors: existed.map((topic) => ({ topic, type: 'TOPIC_ALREADY_EXISTS' })),
        });
      }
      if (!waitForLeaders) return true;
      const names = topics.map((t) => t.topic);
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
        const led = await fetchTopicMetadata({ topics: names })
          .then((m) =>
            m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
          )
          .catch(() => false);
        if (led) break;
      }
      return true;
    },
    deleteTopics: ({ topics }: { topics: string[] }) => call((a) => a.deleteTopics({ topics })),
    fetchTopicMetadata,
    async fetchOffsets({ groupId, topics }: { groupId: string; topics?: string[] }) {
      if (!topics) throw notBridged('fetchOffsets without topics');
      const wanted = await Promise.all(
        topics.map(async (name) => ({ name, partitionIndexes: await partitionsOf(name) })),
      );
      const [group] = await call((a) =>
        a.listConsumerGroupOffsets({ groups: [{ groupId, topics: wanted }] }),
      );
      return wanted.map(({ name, partitionIndexes }) => {
        const found = group?.topics.find((t) => t.name === name)?.partitions ?? [];
        return {
          topic: name,
          partitions: partitionIndexes.map((partition) => {
            const p = found.find((f) => f.partitionIndex === partition);
            return { partition, offset: String(p?.committedOffset ?? -1n), metadata: p?.metadata ?? null };
          }),
        };
      });
    },
    /** High (the last stable offset, read_committed as kafkajs asks) and low watermarks per partition. */
    async fetchTopicOffsets(topic: string) {
      const [high, low] = await Promise.all([offsetsAt(topic, LATEST), offsetsAt(topic, EARLIEST)]);
      return [...high].map(([partition, offset]) => ({
        partition,
        offset: String(offset),
        high: String(offset),
        low: String(low.get(partition) ?? 0n),
      }));
    },
    /** The first offset at or after `timestamp` per partition; the high watermark where there is none (kafkajs). */
    async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number) {
      const [at, high] = await Promise.all([
        offsetsAt(topic, timestamp === undefined ? LATEST : BigInt(timestamp)),
        offsetsAt(topic, LATEST),
      ]);
      return [...at].map(([partition, offset]) => ({
        partition,
        offset: String(offset >= 0n ? offset : (high.get(partition) ?? 0n)),
      }));
    },
    async describeGroups(groupIds: string[]) {
      const groups = await call((a) => a.describeGroups({ groups: groupIds }));
      return { groups: groupIds.map((id) => groupDescription(id, groups.get(id))) };
    },
    async deleteGroups(groupIds: string[]) {
      await call((a) => a.deleteGroups({ groups: groupIds }));
      return groupIds.map((groupId) => ({ groupId, errorCode: 0 }));
    },
    async listGroups() {
      const groups = await call((a) => a.listGroups());
      return { groups: [...groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType })) };
    },
    async describeCluster() {
      const metadata = await call((a) => a.metadata({ topics: [] }));
      return {
        brokers: [...metadata.brokers].map(([nodeId, { host, port }]) => ({ nodeId, host, port })),
        controller: metadata.controllerId,
        clusterId: metadata.id,
      };
    },
    logger: () => kafkaJsStyleLogger(logger),
    on(name: string) {
      throw notBridged(`the admin event ${name}`);
    },
  };
  const unbridged = (name: string) => () => Promise.reject(notBridged(`admin.${name}`));
  for (const name of [
    'createPartitions',
    'setOffsets',
    'resetOffsets',
    'describeConfigs',
    'alterConfigs',
    'deleteTopicRecords',
    'describeAcls',
    'deleteAcls',
    'createAcls',
    'alterPartitionReassignments',
    'listPartitionReassignments',
  ]) {
    Object.assign(admin, { [name]: unbridged(name) });
  }
  return admin as unknown as Admin;
}

// --- the client ----------------------------------------------------------------------------------------

/** A kafkajs-shaped client made by @platformatic/kafka. */
export function createPlatformaticKafka(
  brokers: string[],
  clientId: string,
  security: PlatformaticSecurity,
  logger: Logger,
  overrides: PlatformaticOverrides = {},
): Kafka {
  const log = logger.child({ component: 'platformatic-kafka' });
  const options = (retry?: RetryOptions) =>
    clientOptions(brokers, clientId, security, { ...overrides, retry: { ...overrides.retry, ...retry } });
  return {
    producer(config: ProducerConfig = {}) {
      if (config.transactionalId !== undefined) {
        throw notBridged('transactions (DELIVERY=exactly-once needs KAFKA_CLIENT=kafkajs)');
      }
      const idempotent = config.idempotent ?? false;
      return adaptProducer(
        async () => {
          const { Producer: PlatformaticProducer, compatibilityPartitioner } = await loadPlatformatic();
          return new PlatformaticProducer({
            ...options(config.retry),
            idempotent,
            partitioner: javaPartitioner(compatibilityPartitioner),
          });
        },
        idempotent,
        log,
      );
    },
    consumer(config: ConsumerConfig) {
      return adaptConsumer(
        async () => {
          const { Consumer: PlatformaticConsumer } = await loadPlatformatic();
          return new PlatformaticConsumer({
            ...options(config.retry),
            groupId: config.groupId,
            // read_committed, kafkajs's default too.
            isolationLevel: config.readUncommitted ? 0 : 1,
          });
        },
        config,
        log,
      );
    },
    admin() {
      return adaptAdmin(async () => {
        const { Admin: PlatformaticAdmin } = await loadPlatformatic();
        return new PlatformaticAdmin(options()) as unknown as InnerAdmin;
      }, log);
    },
    logger: () => kafkaJsStyleLogger(log),
  };
}
