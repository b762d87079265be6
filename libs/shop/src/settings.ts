import { parseNumber, parseUrl, setting } from '@chippy/runtime';
import { idProblem } from './valid.js';

/** A till, preparer or cook id as every reader accepts it (libs/shop/src/valid.ts). */
export const parseId = (raw: string): string => {
  const problem = idProblem('the name', raw);
  if (problem) throw new Error(problem);
  return raw;
};

/** The settings of the shop itself: its cabinet (Redis), its database (PostgreSQL) and its pace. */
export const shopSettings = {
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
  timeScale: setting({
    env: 'TIME_SCALE',
    flag: '--time-scale',
    description: 'multiplies every simulated duration; 0 = no waiting',
    default: 1,
    parse: parseNumber({ min: 0 }),
  }),
};
