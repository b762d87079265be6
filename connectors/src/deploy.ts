import { createLogger, redactUrl, retry, type Logger } from '@chippy/runtime';
import { connectApi, ConnectorFailed, describeStatus, isRunning } from './connect-api.js';
import { redactConnector, renderConnector } from './render.js';
import { connectorNameOf, type ConnectorConfig } from './settings.js';

/** A logger whose lines are just the message, for commands a person reads. */
export function lineLogger(log: (line: string) => void): Logger {
  return createLogger('connectors', 'info', {
    write: (json: string) => log((JSON.parse(json) as { msg: string }).msg),
  });
}

/**
 * Renders the sink config for the target and format, PUTs it to Kafka Connect (waiting for the worker to
 * answer), then waits until the connector and its task are RUNNING. A FAILED task throws
 * `ConnectorFailed` with Connect's stack trace.
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
  const status = await api.waitFor(name, isRunning, config.waitSeconds * 1000);
  log(`connector ${name}: ${describeStatus(status)}`);
  return { name, config: redactConnector(rendered), status };
}

export { ConnectorFailed };
