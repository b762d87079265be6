#!/usr/bin/env node
import { producerOptions } from '@chippy/kafka';
import { errorMessage, retry } from '@chippy/runtime';
import { type Order, OrderSchema, startService } from '@chippy/shop';
import { tillPartition } from './partition.js';
import { orderPlacer } from './placer.js';
import { tillSettings } from './settings.js';
import { runTill } from './till.js';

const service = await startService({
  name: 'till',
  description: 'A till: takes random orders and puts them on the orders topic.',
  httpPort: 9101,
  settings: tillSettings,
});
const { config, logger, metrics, shutdown, kafka, topics } = service;
const placed = metrics.counter('chippy_orders_placed_total', 'Orders put on the orders topic', ['till']);
const kafkaReady = service.readiness('kafka');
const retrying = { logger, signal: shutdown.signal };

const admin = kafka.admin();
const producer = kafka.producer(producerOptions());
shutdown.add('kafka producer', () => producer.disconnect());
shutdown.add('kafka admin', () => admin.disconnect());

async function countPartitions(): Promise<number> {
  const { topics: found } = await admin.fetchTopicMetadata({ topics: [topics.orders] });
  return found[0]?.partitions.length ?? 0;
}

try {
  await service.connectAndCreateTopics(admin, ['orders']);
  const encode = await service.serde.encoder<Order>(topics.orders, OrderSchema);
  await retry('connect the producer', () => producer.connect(), retrying);
  const partition =
    config.partitionBy === 'till'
      ? tillPartition(config.tillId, await retry('count the partitions', countPartitions, retrying))
      : undefined;
  if (partition !== undefined) logger.info({ partition }, 'this till writes to its own partition');
  kafkaReady(true);

  const placer = orderPlacer({
    send: (messages) => producer.send({ topic: topics.orders, messages }).then(() => undefined),
    encode,
    partition,
    batched: config.rate > 0,
    onPlaced(order) {
      placed.inc({ till: order.till });
      const { order_id, count, items, payment } = order;
      logger.info({ order_id, count, items, payment }, 'order placed');
    },
    onFailed(order, error) {
      logger.error({ err: errorMessage(error), order_id: order.order_id }, 'order not placed');
      void shutdown.run('failed', 1);
    },
  });
  shutdown.add('orders waiting to be sent', () => placer.drain());
  const taken = await runTill(config, { signal: shutdown.signal, place: (order) => placer.place(order) });
  await placer.drain();
  logger.info({ orders: taken }, 'till closed');
  await shutdown.run('all orders placed');
} catch (error) {
  if (shutdown.signal.aborted) await shutdown.run('stopped');
  logger.error({ err: errorMessage(error) }, 'till failed');
  await shutdown.run('failed', 1);
}
