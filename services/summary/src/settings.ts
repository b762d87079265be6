import { commonSettings, parseNumber, setting } from '@chippy/messaging';

/** Seconds, more than 0 and at most a day (Node timers cannot wait much longer than 24 days). */
export function parseInterval(raw: string): number {
  const seconds = parseNumber({ max: 86_400 })(raw);
  if (seconds <= 0) throw new Error(`${JSON.stringify(raw)} is not a number > 0`);
  return seconds;
}

export const summarySettings = {
  databaseUrl: commonSettings.databaseUrl,
  redisUrl: { ...commonSettings.redisUrl, description: 'Redis URL (the hot cabinet, read only)' },
  summaryInterval: setting({
    env: 'SUMMARY_INTERVAL',
    flag: '--summary-interval',
    description: 'seconds between reads of PostgreSQL, the cabinet and the preparers group',
    default: 5,
    parse: parseInterval,
  }),
};
