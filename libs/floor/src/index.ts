export * from './floor.js';
export * from './group-panels.js';
export * from './groups.js';
export * from './lines.js';
export * from './panel.js';
export * from './reader.js';
export * from './ticker.js';
