import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectorFailed, type ConnectApi, type ConnectorStatus } from './connect-api.js';
import { databaseUnreachable, waitUntilRunning } from './deploy.js';

/** The trace Debezium's JDBC sink leaves when the database's host name did not resolve at its start. */
const unresolved = [
  'org.hibernate.service.spi.ServiceException: Unable to create requested service',
  '\tat org.hibernate.service.internal.AbstractServiceRegistryImpl.createService(AbstractServiceRegistryImpl.java:276)',
  'Caused by: org.hibernate.HibernateException: Unable to determine Dialect without JDBC metadata',
].join('\n');
const badConfig = 'org.apache.kafka.connect.errors.ConnectException: Cannot ALTER table "orders"\n\tat x';

const status = (task: string, trace?: string): ConnectorStatus => ({
  name: 'sink',
  connector: { state: 'RUNNING' },
  tasks: [{ id: 0, state: task, ...(trace && { trace }) }],
});

/** A Connect whose task fails with each of `traces` in turn, then runs; it counts the restarts. */
function fakeConnect(traces: string[]) {
  const calls = { restarts: 0 };
  const api = {
    waitFor: () => {
      const trace = traces[calls.restarts];
      return trace === undefined
        ? Promise.resolve(status('RUNNING'))
        : Promise.reject(new ConnectorFailed('sink', status('FAILED', trace), trace));
    },
    restartFailed: () => {
      calls.restarts++;
      return Promise.resolve(undefined);
    },
  } as unknown as ConnectApi;
  return { api, calls };
}

describe('waitUntilRunning', () => {
  it('restarts a task that could not reach the database, says so, and returns once it runs', async () => {
    const { api, calls } = fakeConnect([unresolved]);
    const lines: string[] = [];
    const running = await waitUntilRunning(api, 'sink', Date.now() + 30_000, (line) => lines.push(line));
    assert.equal(running.tasks[0]!.state, 'RUNNING');
    assert.equal(calls.restarts, 1);
    assert.match(
      lines[0]!,
      /sink FAILED \(org\.hibernate\.HibernateException: Unable to determine Dialect.*\): the database was unreachable; restarting it in 2 s/,
    );
  });

  it('throws any other failure at once, with its trace', async () => {
    const { api, calls } = fakeConnect([badConfig]);
    await assert.rejects(
      waitUntilRunning(api, 'sink', Date.now() + 30_000, () => undefined),
      (error) => {
        assert.ok(error instanceof ConnectorFailed);
        assert.equal(error.trace, badConfig);
        return true;
      },
    );
    assert.equal(calls.restarts, 0);
  });

  it('gives up with the failure when the next pause would pass the deadline', async () => {
    const { api, calls } = fakeConnect([unresolved]);
    await assert.rejects(
      waitUntilRunning(api, 'sink', Date.now() + 1000, () => undefined),
      ConnectorFailed,
    );
    assert.equal(calls.restarts, 0);
  });
});

describe('databaseUnreachable', () => {
  it('knows an unresolved or refused database from a task that failed for another reason', () => {
    assert.ok(databaseUnreachable(unresolved));
    assert.ok(databaseUnreachable('Caused by: java.net.UnknownHostException: postgres'));
    assert.ok(databaseUnreachable('Caused by: java.net.ConnectException: Connection refused'));
    assert.ok(!databaseUnreachable(badConfig));
    assert.ok(!databaseUnreachable(undefined));
  });
});
