import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { captureLogger } from './log-capture.js';
import { onShutdown } from './shutdown.js';

function harness(timeoutMs = 1000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const { logger, lines } = captureLogger();
  const shutdown = onShutdown(logger, { timeoutMs, signals, exit: (code) => void exits.push(code) });
  return { signals, exits, lines, shutdown };
}

describe('onShutdown', () => {
  it('on SIGTERM aborts, runs the steps last-first, carries on past errors and exits 0', async () => {
    const { signals, exits, lines, shutdown } = harness();
    const order: string[] = [];
    shutdown.add('http', () => Promise.resolve(void order.push(`http aborted=${shutdown.signal.aborted}`)));
    shutdown.add('consumer', () => Promise.reject(new Error('already gone')));
    shutdown.add('producer', () => Promise.resolve(void order.push('producer')));
    signals.emit('SIGTERM');
    await shutdown.run('ignored: already running');
    assert.deepEqual(order, ['producer', 'http aborted=true']);
    const failed = lines.find((line) => line.msg === 'stopping consumer failed');
    assert.equal(failed?.err, 'already gone');
    assert.deepEqual(exits, [0]);
  });

  it('exits 1 on a second signal', () => {
    const { signals, exits, shutdown } = harness(20);
    shutdown.add('slow', () => new Promise(() => undefined));
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    assert.deepEqual(exits, [1]); // at once, before the 20 ms timeout
  });

  it('exits 1 when the steps take longer than the timeout', async () => {
    const { exits, lines, shutdown } = harness(20);
    let release = () => undefined as void;
    shutdown.add('stuck', () => new Promise<void>((resolve) => (release = resolve)));
    const running = shutdown.run('test', 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(exits, [1]);
    assert.ok(lines.some((line) => line.msg === 'shutdown took too long, exiting'));
    release();
    await running;
  });
});
