import type { Logger } from './logger.js';
import { errorMessage } from './retry.js';

export interface ShutdownOptions {
  /** Longest the steps may take together before the process exits with 1 anyway. */
  timeoutMs?: number;
  /** Where SIGTERM/SIGINT come from; defaults to `process`. */
  signals?: { on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown };
  /** Defaults to `process.exit`. */
  exit?: (code: number) => void;
}

export interface Shutdown {
  /** Adds a step; steps run in reverse order of adding (last started, first stopped). */
  add(name: string, fn: () => Promise<void>): void;
  /** Aborts when shutdown begins, before any step runs, so loops stop taking new work. */
  signal: AbortSignal;
  /** Runs the steps once (later calls get the same promise) and exits with `code` (0 by default). */
  run(reason: string, code?: number): Promise<void>;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: abort the signal, run each step (errors are logged and the rest still
 * run), then exit 0. A second signal, or steps running past the timeout, exit 1 at once.
 */
export function onShutdown(logger: Logger, options: ShutdownOptions = {}): Shutdown {
  const { timeoutMs = 10_000, signals = process, exit = (code: number) => process.exit(code) } = options;
  const steps: { name: string; fn: () => Promise<void> }[] = [];
  const controller = new AbortController();
  let running: Promise<void> | undefined;

  async function runSteps(reason: string, code: number): Promise<void> {
    logger.info({ reason }, 'shutting down');
    controller.abort(new Error(`shutting down: ${reason}`));
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long, exiting');
      exit(1);
    }, timeoutMs);
    for (const { name, fn } of [...steps].reverse()) {
      const started = Date.now();
      try {
        await fn();
        logger.info({ step: name, ms: Date.now() - started }, `stopped ${name}`);
      } catch (error) {
        logger.error({ step: name, err: errorMessage(error) }, `stopping ${name} failed`);
      }
    }
    clearTimeout(timer);
    logger.info({ code }, 'shutdown complete');
    exit(code);
  }

  const run = (reason: string, code = 0) => (running ??= runSteps(reason, code));

  for (const name of ['SIGTERM', 'SIGINT'] as const) {
    signals.on(name, () => {
      if (!running) return void run(name);
      logger.warn({ signal: name }, 'second signal, exiting now');
      exit(1);
    });
  }

  return { add: (name, fn) => void steps.push({ name, fn }), signal: controller.signal, run };
}

/**
 * The end of a service whose start threw. Once shutdown has begun, the throw is most likely its doing (a
 * wait cut short, a client closed): a warning, and the shutdown goes on. Otherwise an error, and exit 1.
 */
export async function startFailed(
  name: string,
  error: unknown,
  { logger, shutdown }: { logger: Logger; shutdown: Shutdown },
): Promise<void> {
  if (shutdown.signal.aborted) {
    logger.warn({ err: errorMessage(error) }, `${name} start cut short by shutdown`);
    return;
  }
  logger.error({ err: errorMessage(error) }, `${name} failed`);
  await shutdown.run('failed', 1);
}
