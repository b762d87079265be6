import type { Redis } from 'ioredis';

/**
 * Where each order stands, shared by every preparer (Redis), so a redelivered order — after a crash or a
 * rebalance, to this preparer or another — is never prepared twice.
 *   absent  → never handed over: prepare it.
 *   sending → a preparer was handing it over when it stopped; whether the OrderReady reached Kafka is
 *             unknown until `orders-ready` is checked (see published.ts).
 *   ready   → handed over: skip.
 */
export type OrderState = { state: 'new' } | { state: 'sending'; since: number } | { state: 'ready' };

export interface OrderLedger {
  get(orderId: string): Promise<OrderState>;
  markSending(orderId: string, since: number, preparer: string): Promise<void>;
  markReady(orderId: string): Promise<void>;
}

/** Entries outlive any plausible redelivery, then expire so Redis does not grow without bound. */
const ttlSeconds = 7 * 24 * 3600;
const key = (orderId: string) => `chippy:order:${orderId}`;

export function redisLedger(redis: Redis): OrderLedger {
  return {
    async get(orderId) {
      const [state, since] = await redis.hmget(key(orderId), 'state', 'since');
      if (state === 'ready') return { state: 'ready' };
      if (state === 'sending') return { state: 'sending', since: Number(since) };
      return { state: 'new' };
    },
    async markSending(orderId, since, preparer) {
      await redis
        .multi()
        .hset(key(orderId), { state: 'sending', since: String(since), preparer })
        .expire(key(orderId), ttlSeconds)
        .exec();
    },
    async markReady(orderId) {
      await redis.multi().hset(key(orderId), { state: 'ready' }).expire(key(orderId), ttlSeconds).exec();
    },
  };
}
