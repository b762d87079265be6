export * from './connect-api.js';
export * from './deploy.js';
export * from './migrate.js';
export * from './render.js';
export * from './settings.js';
export * from './watch.js';
export * from './watch-service.js';
