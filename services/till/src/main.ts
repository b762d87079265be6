import { hostname } from 'node:os';
import { producerOptions, startService } from '@chippy/kafka';
import {
  errorMessage,
  parseBoolean,
  parseEnum,
  parseInteger,
  parseNumber,
  parseString,
  retry,
  setting,
} from '@chippy/runtime';
import { OrderSchema, type Order } from '@chippy/shop';
import { partitionModes, tillPartition } from './partition.js';
import { lingeringSender } from './linger.js';
import { runTill } from './till.js';

const service = await startService({
  name: 'till',
  description: 'A till: takes random orders and puts them on the orders topic.',
  httpPort: 9101,
  settings: {
    tillId: setting({
      env: 'TILL_ID',
      flag: '--till-id',
      description: 'name of this till (on every order)',
      default: hostname(),
      parse: parseString,
    }),
    plaice: setting({
      env: 'TILL_PLAICE',
      flag: '--plaice',
      description: 'plaice on the menu (true/false)',
      default: false,
      parse: parseBoolean,
    }),
    orders: setting({
      env: 'TILL_ORDERS',
      flag: '--orders',
      description: 'stop after this many orders; 0 = until stopped',
      default: 0,
      parse: parseInteger({ min: 0 }),
    }),
    rate: setting({
      env: 'TILL_RATE',
      flag: '--rate',
      description: 'orders per second on a fixed schedule (load); 0 = the till pace, 1.0-1.5 s × TIME_SCALE',
      default: 0,
      parse: parseNumber({ min: 0 }),
    }),
    partitionBy: setting({
      env: 'TILL_PARTITION_BY',
      flag: '--partition-by',
      description:
        "order_id: orders spread over every partition by key; till: all of this till's orders on its own partition (till-1 → 0, as in demo3)",
      default: 'order_id',
      parse: parseEnum(partitionModes),
    }),
  },
});
const { config, logger, metrics, shutdown, kafka, topics } = service;
const placed = metrics.counter('chippy_orders_placed_total', 'Orders put on the orders topic', ['till']);
const kafkaReady = service.readiness('kafka');
const retrying = { logger, signal: shutdown.signal };

const admin = kafka.admin();
const producer = kafka.producer(producerOptions());
shutdown.add('kafka producer', () => producer.disconnect());
shutdown.add('kafka admin', () => admin.disconnect());

try {
  await service.connectAndCreateTopics(admin, ['orders']);
  const encode = await service.serde.encoder<Order>(topics.orders, OrderSchema);
  await retry('connect the producer', () => producer.connect(), retrying);
  // The key stays order_id either way (the sink and the ledger rely on it); only the partition is chosen.
  const partition =
    config.partitionBy === 'till'
      ? tillPartition(config.tillId, await retry('count the partitions', countPartitions, retrying))
      : undefined;
  if (partition !== undefined) logger.info({ partition }, 'this till writes to its own partition');
  kafkaReady(true);

  interface OrderMessage {
    key: string;
    value: Buffer;
    partition: number | undefined;
  }
  const record = async (order: Order): Promise<OrderMessage> => ({
    key: order.order_id,
    value: await encode(order),
    partition,
  });
  const acknowledged = (order: Order) => {
    placed.inc({ till: order.till });
    logger.info(
      { order_id: order.order_id, count: order.count, items: order.items, payment: order.payment },
      'order placed',
    );
  };
  // Under --rate (load) orders are sent in batches, as the Java producer's linger.ms does: each waits up
  // to 5 ms for others, one send in flight. An order counts as placed once its batch is acknowledged. At
  // the till's own pace each order is sent alone and awaited (the demo: one customer at a time).
  const batched = lingeringSender<OrderMessage>(
    (messages) => producer.send({ topic: topics.orders, acks: -1, messages }).then(() => undefined),
    { lingerMs: 5, maxBatch: 500 },
  );
  shutdown.add('orders waiting to be sent', () => batched.drain());
  const taken = await runTill(config, {
    signal: shutdown.signal,
    async place(order) {
      if (config.rate === 0) {
        await producer.send({ topic: topics.orders, acks: -1, messages: [await record(order)] });
        acknowledged(order);
        return;
      }
      const sent = batched.add(await record(order)).then(() => acknowledged(order));
      sent.catch((error: unknown) => {
        logger.error({ err: errorMessage(error), order_id: order.order_id }, 'order not placed');
        void shutdown.run('failed', 1);
      });
      // Back-pressure: a till never holds more than a few batches unsent.
      if (batched.pending >= 2_000) await sent;
    },
  });
  await batched.drain();
  logger.info({ orders: taken }, 'till closed');
  await shutdown.run('all orders placed');
} catch (error) {
  if (shutdown.signal.aborted) await shutdown.run('stopped');
  logger.error({ err: errorMessage(error) }, 'till failed');
  await shutdown.run('failed', 1);
}

async function countPartitions(): Promise<number> {
  const { topics: found } = await admin.fetchTopicMetadata({ topics: [topics.orders] });
  return found[0]?.partitions.length ?? 0;
}
