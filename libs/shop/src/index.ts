export * from './cabinet.js';
export * from './generated/schemas.js';
export * from './menu.js';
export * from './redis.js';
export * from './settings.js';
export * from './time-scale.js';
export * from './valid.js';
