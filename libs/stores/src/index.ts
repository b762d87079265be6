export { closeRedis, createRedis, redisReady } from './redis.js';
export { storeSettings } from './settings.js';
