type Uncaught = 'unhandledRejection' | 'uncaughtException';

/**
 * A promise nobody awaited, or a throw nobody caught, is a bug. `fail` is told what happened and must end
 * the process non-zero, stopping cleanly where it can, so a supervisor restarts it and the work in flight
 * is redelivered (kafkajs's examples do the same). Every long-running chippy process installs this.
 */
export function onUncaught(
  fail: (what: string, error: unknown) => void,
  events: { on(event: Uncaught, listener: (error: unknown) => void): unknown } = process,
): void {
  events.on('unhandledRejection', (error) => fail('unhandled promise rejection', error));
  events.on('uncaughtException', (error) => fail('uncaught exception', error));
}
