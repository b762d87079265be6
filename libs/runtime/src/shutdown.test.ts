import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { captureLogger } from './testing/logs.js';
import { onShutdown, startFailed } from './shutdown.js';

function harness(timeoutMs = 1000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const { logger, lines } = captureLogger();
  const shutdown = onShutdown(logger, { timeoutMs, signals, exit: (code) => void exits.push(code) });
  return { signals, exits, lines, logger, shutdown };
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

describe('startFailed', () => {
  const above = (lines: Record<string, unknown>[]) =>
    lines
      .filter(({ level }) => level === 'warn' || level === 'error')
      .map(({ level, msg, err }) => ({ level, msg, err }));

  it('logs the error and shuts down with exit 1', async () => {
    const { exits, lines, logger, shutdown } = harness();
    await startFailed('cook', new Error('no broker'), { logger, shutdown });
    assert.deepEqual(above(lines), [{ level: 'error', msg: 'cook failed', err: 'no broker' }]);
    assert.deepEqual(exits, [1]);
  });

  it('once shutdown has begun, warns that the start was cut short and leaves the exit to the shutdown', async () => {
    const { signals, exits, lines, logger, shutdown } = harness();
    let release = () => undefined as void;
    shutdown.add('consumer', () => new Promise<void>((resolve) => (release = resolve)));
    signals.emit('SIGTERM');
    await startFailed('cook', new Error('client closed'), { logger, shutdown });
    assert.deepEqual(above(lines), [
      { level: 'warn', msg: 'cook start cut short by shutdown', err: 'client closed' },
    ]);
    assert.deepEqual(exits, [], 'the shutdown is still running its steps');
    release();
    await shutdown.run('ignored: already running');
    assert.deepEqual(exits, [0]);
  });
});
