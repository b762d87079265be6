import type { Serde } from '@chippy/kafka';
import type { Logger } from '@chippy/runtime';
import { type CookBatch, CookBatchSchema, type Cooked, CookedSchema, type TopicNames } from '@chippy/shop';
import type { Producer } from 'kafkajs';
import { nonZero } from './stock-policy.js';
import type { CookMetrics } from './metrics.js';
import type { Fried } from './kitchen.js';

export interface ServeParts {
  producer: Pick<Producer, 'sendBatch'>;
  topics: Pick<TopicNames, 'cooked' | 'cookBatches'>;
  cookId: string;
  encodeCooked: (cooked: Cooked) => Promise<Buffer>;
  encodeBatch: (batch: CookBatch) => Promise<Buffer>;
  fried: CookMetrics['fried'];
  logger: Logger;
}

/** What the cook writes, in the configured format: made once (each encoder registers its schema). */
export async function serveCodecs(
  serde: Pick<Serde, 'encoder'>,
  topics: Pick<TopicNames, 'cooked' | 'cookBatches'>,
): Promise<Pick<ServeParts, 'encodeCooked' | 'encodeBatch'>> {
  return {
    encodeCooked: await serde.encoder<Cooked>(topics.cooked, CookedSchema),
    encodeBatch: await serde.encoder<CookBatch>(topics.cookBatches, CookBatchSchema),
  };
}

/** The kitchen's `serve`: a batch's answers and its record in one produce call, then counted and logged. */
export function createServe(parts: ServeParts): (fried: Fried) => Promise<void> {
  const { topics, cookId, logger } = parts;
  return async (fried) => {
    const cooked = nonZero(fried.batch);
    const answers = await Promise.all(
      fried.answered.map(async (request) => ({
        key: request.order.order_id,
        value: await parts.encodeCooked({
          order: request.order,
          cooked,
          cook: cookId,
          prepare_started: request.prepare_started,
          attempt: request.attempt,
        }),
      })),
    );
    const topicMessages = [{ topic: topics.cooked, messages: answers }];
    if (Object.keys(cooked).length > 0) {
      const record: CookBatch = {
        batch_id: fried.batchId,
        cook: cookId,
        started: fried.started,
        finished: fried.finished,
        fried: cooked,
        orders: fried.answered.map((r) => r.order.order_id),
      };
      topicMessages.push({
        topic: topics.cookBatches,
        messages: [{ key: cookId, value: await parts.encodeBatch(record) }],
      });
    }
    await parts.producer.sendBatch({ topicMessages });
    parts.fried(fried.batch);
    if (Object.keys(cooked).length > 0) {
      const msg = fried.answered.length > 0 ? 'batch fried' : 'restocked';
      logger.info({ batch: cooked, requests: fried.answered.length }, msg);
    }
    fried.answered.forEach((request, i) =>
      logger.info(
        { order_id: request.order.order_id, attempt: request.attempt, batch: cooked, added: fried.fresh[i] },
        'order cooked',
      ),
    );
  };
}
