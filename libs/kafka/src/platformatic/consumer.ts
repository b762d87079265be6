import { errorMessage, sleep, type Logger } from '@chippy/runtime';
import { kafkaJsStyleLogger } from '../kafkajs-log.js';
import {
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type EachBatchPayload,
  type EachMessagePayload,
  type KafkaMessage,
} from 'kafkajs';
import { asKafkaJsError, withKafkaJsErrors, notBridged } from './errors.js';
import { defaults, retryDelay } from './options.js';
import { type IncomingMessage, incoming } from './messages.js';

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
    await withKafkaJsErrors(inner.metadata({ topics: [] }));
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
    this.loop = this.supervise(
      handler,
      config.partitionsConsumedConcurrently ?? defaults.partitionsConsumedConcurrently,
    );
  }

  /** Joins the group (the first `consume` does) and opens the message stream. */
  private async start(): Promise<void> {
    const inner = await this.client();
    const seeks = [...this.seeks.values()];
    this.seeks.clear();
    const { config } = this;
    const stream = await withKafkaJsErrors(
      inner.consume({
        topics: this.topics,
        ...(seeks.length > 0 ? { mode: 'manual', offsets: seeks } : { mode: 'committed' }),
        fallbackMode: this.fromBeginning ? 'earliest' : 'latest',
        autocommit: false,
        // kafkajs's group timings (the client's own are twice as long: a dead member would hold its
        // partitions for a minute).
        sessionTimeout: config.sessionTimeout ?? defaults.sessionTimeout,
        rebalanceTimeout: config.rebalanceTimeout ?? defaults.rebalanceTimeout,
        heartbeatInterval: config.heartbeatInterval ?? defaults.heartbeatInterval,
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
      await withKafkaJsErrors(this.inner.commit({ offsets }));
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
    await withKafkaJsErrors(
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
