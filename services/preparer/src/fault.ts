import type { Logger } from '@chippy/runtime';
import type { BatchStep } from './preparer.js';

export type Fault = 'none' | 'after-take' | 'after-send';

const stepOf: Record<Fault, BatchStep | undefined> = {
  none: undefined,
  'after-take': 'taken',
  'after-send': 'sent',
};

/**
 * PREPARER_FAULT: for a batch of `size` messages, what `reached` does at each step. In the first batch of
 * two or more it dies at the chosen step, as a SIGKILL from outside would: the batch goes no further, and
 * its log line is written out (and given a moment) first, so the crash test can see where it died.
 */
export function faultAt(
  fault: Fault,
  logger: Logger,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): (size: number) => (step: BatchStep) => Promise<void> | undefined {
  const at = stepOf[fault];
  let armed = at !== undefined;
  return (size) => (step) => {
    if (!armed || size < 2 || step !== at) return undefined;
    armed = false;
    logger.warn({ step, batch: size }, 'PREPARER_FAULT: killing this preparer mid-batch');
    return new Promise<void>(() => logger.flush(() => setTimeout(kill, 200)));
  };
}
