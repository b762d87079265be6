import { parseUrl, setting } from '@chippy/runtime';

/** Where the shop's stores beside Kafka are: the cabinet (Redis) and the orders database (PostgreSQL). */
export const storeSettings = {
  redisUrl: setting({
    env: 'REDIS_URL',
    flag: '--redis-url',
    description: 'Redis URL (the hot cabinet)',
    default: 'redis://127.0.0.1:6379',
    parse: parseUrl(['redis', 'rediss']),
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    flag: '--database-url',
    description: 'PostgreSQL URL',
    default: 'postgres://postgres@127.0.0.1:5432/chippy',
    parse: parseUrl(['postgres', 'postgresql']),
  }),
};
