import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { onUncaught } from './uncaught.js';

describe('onUncaught', () => {
  it('tells what happened for an unhandled rejection and for an uncaught exception', () => {
    const events = new EventEmitter();
    const told: [string, unknown][] = [];
    onUncaught((what, error) => told.push([what, error]), events);
    const rejected = new Error('nobody awaited me');
    const thrown = new Error('nobody caught me');
    events.emit('unhandledRejection', rejected);
    events.emit('uncaughtException', thrown);
    assert.deepEqual(told, [
      ['unhandled promise rejection', rejected],
      ['uncaught exception', thrown],
    ]);
  });
});
