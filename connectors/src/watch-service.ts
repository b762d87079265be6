import { createLogger, createMetrics, onShutdown, redactUrl, startHttpServer } from '@chippy/runtime';
import { connectApi, isRunning } from './connect-api.js';
import { connectorNameOf, type ConnectorConfig } from './settings.js';
import { watchConnector } from './watch.js';

/**
 * `connectors watch` as a long-running service like the shop's others: pino JSON logs, /metrics
 * (`chippy_connector_running`, `chippy_connector_restarts_total`), /healthz, /readyz (ready while the
 * connector and its task are RUNNING) and a graceful stop on SIGTERM/SIGINT.
 */
export async function runWatchService(config: ConnectorConfig): Promise<void> {
  const name = connectorNameOf(config);
  const logger = createLogger('connect-watch', config.logLevel);
  const metrics = createMetrics('connect-watch');
  const running = metrics.gauge('chippy_connector_running', '1 while the connector and every task run', [
    'connector',
  ]);
  const restarts = metrics.counter(
    'chippy_connector_restarts_total',
    'Restarts of a FAILED connector or task by the watcher',
    ['connector'],
  );
  let ready = false;
  const shutdown = onShutdown(logger);
  const http = await startHttpServer({
    port: config.httpPort,
    registry: metrics.registry,
    logger,
    ready: () => ready,
  });
  shutdown.add('http server', () => http.close());
  logger.info({ connector: name, connectUrl: redactUrl(config.connectUrl) }, 'watching the connector');
  const watching = watchConnector(connectApi(config.connectUrl), name, {
    intervalMs: config.watchInterval * 1000,
    signal: shutdown.signal,
    log: (line) => logger.info({ connector: name }, line),
    onStatus(status) {
      ready = status !== undefined && isRunning(status);
      running.set({ connector: name }, ready ? 1 : 0);
    },
    onRestart: () => restarts.inc({ connector: name }),
  });
  shutdown.add('watch', () => watching);
}
