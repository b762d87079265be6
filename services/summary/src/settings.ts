import { httpHostSetting, setting } from '@chippy/runtime';
import { storeSettings } from '@chippy/stores';
import { parseAllowedHosts } from './guard.js';

/** Seconds, more than 0 and at most a day (Node timers cannot wait much longer than 24 days). */
export function parseInterval(raw: string): number {
  const seconds = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new Error(`${JSON.stringify(raw)} is not a number of seconds > 0 and <= 86400`);
  }
  return seconds;
}

export const summarySettings = {
  databaseUrl: storeSettings.databaseUrl,
  redisUrl: { ...storeSettings.redisUrl, description: 'Redis URL (the hot cabinet, read only)' },
  summaryInterval: setting({
    env: 'SUMMARY_INTERVAL',
    flag: '--summary-interval',
    description: 'seconds between reads of PostgreSQL, the cabinet and the preparers group',
    default: 5,
    parse: parseInterval,
  }),
  httpHost: httpHostSetting,
  allowedHosts: setting({
    env: 'HTTP_ALLOWED_HOSTS',
    flag: '--allowed-hosts',
    description:
      'host names the page answers to besides localhost, 127.0.0.1, [::1] and HTTP_HOST, comma-separated; * = any (against DNS rebinding)',
    default: '',
    parse: parseAllowedHosts,
  }),
};
