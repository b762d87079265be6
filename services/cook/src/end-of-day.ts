import type { Logger } from '@chippy/runtime';
import type { Cabinet } from '@chippy/shop';
import type { CookMetrics } from './metrics.js';

export interface EndOfDayParts {
  /** Whether Redis is connected now. */
  connected: () => boolean;
  cabinet: Pick<Cabinet, 'levels'>;
  wasted: CookMetrics['wasted'];
  logger: Logger;
}

/** What is left at close is waste. The cabinet is not emptied: another cook may still be open. */
export function endOfDay({ connected, cabinet, wasted, logger }: EndOfDayParts): () => Promise<void> {
  return async () => {
    if (!connected()) return void logger.warn('end of day: Redis not connected, waste unknown');
    const left = await cabinet.levels();
    wasted(left);
    logger.info({ waste: left }, 'end of day: waste');
  };
}
