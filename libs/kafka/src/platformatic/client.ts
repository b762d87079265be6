import { type Logger } from '@chippy/runtime';
import { kafkaJsStyleLogger } from '../kafkajs-log.js';
import { type ConsumerConfig, type Kafka, type ProducerConfig, type RetryOptions } from 'kafkajs';
import { notBridged } from './errors.js';
import { type PlatformaticOverrides, type PlatformaticSecurity, clientOptions } from './options.js';
import { javaPartitioner } from './messages.js';
import { adaptProducer } from './producer.js';
import { adaptConsumer } from './consumer.js';
import { type InnerAdmin, adaptAdmin } from './admin.js';

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
