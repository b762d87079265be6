import { createLogger, redactUrl, retry, sleep, type Logger } from '@chippy/runtime';
import { connectApi, ConnectorFailed, describeStatus, isRunning, type ConnectApi } from './connect-api.js';
import { redactConnector, renderConnector } from './render.js';
import { connectorNameOf, type ConnectorConfig } from './settings.js';
import { rootCause } from './watch.js';

/** A logger whose lines are just the message, for commands a person reads. */
export function lineLogger(log: (line: string) => void): Logger {
  return createLogger('connectors', 'info', {
    write: (json: string) => log((JSON.parse(json) as { msg: string }).msg),
  });
}

/**
 * A task that failed because it could not reach the database when it started: Debezium's JDBC sink fails
 * for good then (Hibernate cannot read the database's metadata), though the database may be up a moment
 * later, as when a container's name does not resolve yet.
 */
export const databaseUnreachable = (trace: string | undefined): boolean =>
  /java\.net\.(UnknownHost|Connect)Exception|The connection attempt failed|Unable to determine Dialect without JDBC metadata/.test(
    trace ?? '',
  );

/**
 * Waits until the connector and its task are RUNNING, restarting a task that failed because the database
 * was unreachable (with a pause from 2 s doubling to 16 s, and a line saying so) until `deadlineMs`. Any
 * other failure throws `ConnectorFailed` with Connect's stack trace at once.
 */
export async function waitUntilRunning(
  api: ConnectApi,
  name: string,
  deadlineMs: number,
  log: (line: string) => void,
) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.waitFor(name, isRunning, Math.max(0, deadlineMs - Date.now()));
    } catch (error) {
      const pauseMs = Math.min(16_000, 2000 * 2 ** attempt);
      const retryable = error instanceof ConnectorFailed && databaseUnreachable(error.trace);
      if (!retryable || Date.now() + pauseMs > deadlineMs) throw error;
      log(
        `connector ${name} FAILED (${rootCause(error.trace)}): the database was unreachable; restarting it in ${pauseMs / 1000} s`,
      );
      await sleep(pauseMs);
      await api.restartFailed(name);
    }
  }
}

/**
 * Renders the sink config for the target and format, PUTs it to Kafka Connect (waiting for the worker to
 * answer), then waits until the connector and its task are RUNNING (see waitUntilRunning).
 */
export async function deployConnector(config: ConnectorConfig, log: (line: string) => void) {
  const name = connectorNameOf(config);
  const api = connectApi(config.connectUrl);
  const rendered = renderConnector(config);
  const deadline = AbortSignal.timeout(config.waitSeconds * 1000);
  await retry('reach Kafka Connect', () => api.put(name, rendered), {
    logger: lineLogger(log),
    signal: deadline,
    maxMs: 5000,
  });
  log(
    `connector ${name} (${config.target}, ${config.format}) configured at ${redactUrl(config.connectUrl)}: ` +
      `${rendered.topics} → ${rendered['collection.name.format'] ?? rendered['table.name.format']}`,
  );
  const status = await waitUntilRunning(api, name, Date.now() + config.waitSeconds * 1000, log);
  log(`connector ${name}: ${describeStatus(status)}`);
  return { name, config: redactConnector(rendered), status };
}

export { ConnectorFailed };
