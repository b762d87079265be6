import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  describeConfig,
  loadConfigOrExit,
  type ConfigValues,
  type Settings,
  type runtimeSettings,
} from './config.js';
import { startHttpServer, type HttpServer } from './http.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { errorMessage } from './retry.js';
import { onShutdown, type Shutdown } from './shutdown.js';
import { onUncaught } from './uncaught.js';

export interface RuntimeOptions<S extends Settings & typeof runtimeSettings> {
  name: string;
  description: string;
  /** Every setting of the process, in the order --help lists them; `httpPort` with the process's default. */
  settings: S;
  /** Extra HTTP routes (the summary's page and API). */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** Settings each valid but wrong together: a one-line reason, checked before anything starts. */
  check?: (config: ConfigValues<S>) => string | undefined;
}

export interface Runtime<S extends Settings> {
  config: ConfigValues<S>;
  logger: Logger;
  metrics: Metrics;
  shutdown: Shutdown;
  http: HttpServer;
  /** /readyz answers ready once every named part has said it is (e.g. 'kafka', 'redis'). */
  readiness(part: string): (ready: boolean) => void;
}

/** Why the HTTP server could not listen on `port`, when that is the setting's fault. */
function portProblem(error: unknown, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use (0 picks a free port)`;
  if (code === 'EACCES') return `port ${port} needs privileges this process does not have`;
  return undefined;
}

/**
 * What every chippy process with a probe server does before its own work: configuration (exit 2 on a bad
 * value), JSON logs, metrics, the probe server and graceful shutdown. The HTTP server is added to the
 * shutdown first so that it is stopped last and /metrics answers until the end.
 */
export async function startRuntime<S extends Settings & typeof runtimeSettings>(
  options: RuntimeOptions<S>,
): Promise<Runtime<S>> {
  const { settings } = options;
  const config = loadConfigOrExit({
    name: options.name,
    description: options.description,
    settings,
    ...(options.check && { check: options.check }),
  });
  // TypeScript cannot resolve these two value types while S is generic; the settings are exact.
  const { httpPort, logLevel } = config as unknown as ConfigValues<typeof runtimeSettings>;
  // Only a process that has the setting (the summary) listens on one address; the others on every one.
  const { httpHost } = config as { httpHost?: string };
  const logger = createLogger(options.name, logLevel);
  logger.info({ config: describeConfig(settings, config) }, 'starting');

  const metrics = createMetrics(options.name);
  const shutdown = onShutdown(logger);
  onUncaught((what, error) => {
    logger.fatal({ err: errorMessage(error) }, what);
    void shutdown.run(what, 1);
  });
  const parts = new Map<string, boolean>();
  const http = await startHttpServer({
    port: httpPort,
    ...(httpHost !== undefined && { host: httpHost }),
    registry: metrics.registry,
    logger,
    ready: () => parts.size > 0 && [...parts.values()].every(Boolean),
    ...(options.routes && { routes: options.routes }),
  }).catch((error: unknown) => {
    const problem = portProblem(error, httpPort);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (
      httpHost !== undefined &&
      (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    ) {
      process.stderr.write(
        `${options.name}: invalid HTTP_HOST (--http-host): cannot listen on ${httpHost}\n`,
      );
      return process.exit(2);
    }
    if (!problem) throw error;
    // A port in use is bad configuration like any other: one line naming the setting, exit 2.
    process.stderr.write(`${options.name}: invalid HTTP_PORT (--http-port): ${problem}\n`);
    return process.exit(2);
  });
  shutdown.add('http server', () => http.close());

  const readiness = (part: string) => {
    parts.set(part, false);
    return (ready: boolean) => {
      if (parts.get(part) !== ready) logger.info({ part, ready }, ready ? 'ready' : 'not ready');
      parts.set(part, ready);
    };
  };
  return { config, logger, metrics, shutdown, http, readiness };
}
