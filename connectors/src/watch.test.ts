import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectApi, ConnectorStatus } from './connect-api.js';
import { watchConnector } from './watch.js';

const status = (connector: string, ...tasks: string[]): ConnectorStatus => ({
  name: 'sink',
  connector: { state: connector },
  tasks: tasks.map((state, id) => ({
    id,
    state,
    ...(state === 'FAILED' && {
      trace: 'ConnectException: task died\n at y\nCaused by: PSQLException: gone\n at x',
    }),
  })),
});

/** A Connect whose status walks through `states`, counting restarts; the watch stops after the last. */
function fakeConnect(states: ConnectorStatus[], stop: AbortController) {
  let i = 0;
  const calls = { restarts: 0 };
  const api = {
    status: () => {
      const s = states[Math.min(i++, states.length - 1)];
      if (i >= states.length) stop.abort();
      return Promise.resolve(s);
    },
    restartFailed: () => {
      calls.restarts++;
      return Promise.resolve(undefined);
    },
  } as unknown as ConnectApi;
  return { api, calls };
}

describe('watchConnector', () => {
  it('restarts a FAILED task, with growing pauses while it keeps failing, and logs why', async () => {
    const stop = new AbortController();
    const { api, calls } = fakeConnect(
      [
        status('RUNNING', 'RUNNING'),
        status('RUNNING', 'FAILED'),
        status('RUNNING', 'FAILED'),
        status('RUNNING', 'RUNNING'),
      ],
      stop,
    );
    const lines: string[] = [];
    await watchConnector(api, 'sink', {
      intervalMs: 1,
      signal: stop.signal,
      log: (l) => lines.push(l),
      minBackoffMs: 5,
      maxBackoffMs: 8,
    });
    assert.equal(calls.restarts, 2);
    assert.ok(
      lines.some((l) => l.includes('FAILED (PSQLException: gone); restarting in 0.005 s')),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => l.includes('restarting in 0.008 s')),
      'the pause grows, up to the cap',
    );
  });

  it('leaves a RUNNING connector alone', async () => {
    const stop = new AbortController();
    const { api, calls } = fakeConnect([status('RUNNING', 'RUNNING'), status('RUNNING', 'RUNNING')], stop);
    await watchConnector(api, 'sink', { intervalMs: 1, signal: stop.signal, log: () => undefined });
    assert.equal(calls.restarts, 0);
  });
});
