import { hostname } from 'node:os';
import {
  commonSettings,
  parseInteger,
  parseNumber,
  parseString,
  setting,
  type ConfigValues,
  type Setting,
} from '@chippy/messaging';
import type { StockLevels } from './batch.js';

export const cookSettings = {
  redisUrl: commonSettings.redisUrl,
  cookId: setting({
    env: 'COOK_ID',
    flag: '--cook-id',
    description: 'name of this cook (on every Cooked)',
    default: `${hostname()}-${process.pid}`,
    parse: parseString,
  }),
  targetCod: setting({
    env: 'TARGET_COD',
    flag: '--target-cod',
    description: 'cod portions a batch brings the cabinet up to',
    default: 10,
    parse: parseInteger({ min: 1 }),
  }),
  targetChips: setting({
    env: 'TARGET_CHIPS',
    flag: '--target-chips',
    description: 'chips portions a batch brings the cabinet up to',
    default: 20,
    parse: parseInteger({ min: 1 }),
  }),
  lowWaterCod: setting({
    env: 'LOW_WATER_COD',
    flag: '--low-water-cod',
    description: 'a restock wake-up fries cod when fewer portions are left; 0 = never',
    default: 3,
    parse: parseInteger({ min: 0 }),
  }),
  lowWaterChips: setting({
    env: 'LOW_WATER_CHIPS',
    flag: '--low-water-chips',
    description: 'a restock wake-up fries chips when fewer portions are left; 0 = never',
    default: 6,
    parse: parseInteger({ min: 0 }),
  }),
  restockInterval: setting({
    env: 'RESTOCK_INTERVAL',
    flag: '--restock-interval',
    description: 'seconds between looks at the cabinet (real time, not scaled by TIME_SCALE)',
    default: 30,
    // Up to a day: Node timers cannot wait much longer than 24 days and fire at once if asked to.
    parse: parseNumber({ min: 0.001, max: 86_400 }),
  }),
};

type LevelValues = Pick<
  ConfigValues<typeof cookSettings>,
  'targetCod' | 'targetChips' | 'lowWaterCod' | 'lowWaterChips'
>;

const settingName = (s: Setting<unknown>) => `${s.env} (${s.flag})`;

/**
 * The stock levels, or a one-line reason they make no sense together: a low-water mark at or above its
 * target would have the cook restock after every sale, or "top up" to below the level it has.
 */
export function stockLevels(config: LevelValues): StockLevels | string {
  const pairs = [
    ['lowWaterCod', 'targetCod'],
    ['lowWaterChips', 'targetChips'],
  ] as const;
  for (const [low, target] of pairs) {
    if (config[low] >= config[target]) {
      return `invalid ${settingName(cookSettings[low])}: ${config[low]} is not below ${settingName(cookSettings[target])} ${config[target]}`;
    }
  }
  return {
    target: { cod: config.targetCod, chips: config.targetChips },
    lowWater: { cod: config.lowWaterCod, chips: config.lowWaterChips },
  };
}
