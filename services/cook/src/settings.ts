import { hostname } from 'node:os';
import { parseInteger, parseNumber, setting, type ConfigValues, type Setting } from '@chippy/runtime';
import { limits, parseId } from '@chippy/shop';
import { storeSettings } from '@chippy/stores';
import type { StockPolicy } from './stock-policy.js';

export const cookSettings = {
  redisUrl: storeSettings.redisUrl,
  cookId: setting({
    env: 'COOK_ID',
    flag: '--cook-id',
    description: 'name of this cook (on every Cooked)',
    default: `${hostname()}-${process.pid}`,
    parse: parseId,
  }),
  targetCod: setting({
    env: 'TARGET_COD',
    flag: '--target-cod',
    description: 'standard level: a batch brings cod up to at least this (more when demand calls for it)',
    default: 10,
    parse: parseInteger({ min: 1 }),
  }),
  targetChips: setting({
    env: 'TARGET_CHIPS',
    flag: '--target-chips',
    description: 'standard level: a batch brings chips up to at least this (more when demand calls for it)',
    default: 20,
    parse: parseInteger({ min: 1 }),
  }),
  lowWaterCod: setting({
    env: 'LOW_WATER_COD',
    flag: '--low-water-cod',
    description: 'least low-water mark: fewer cod portions left makes the cook fry (raised with demand)',
    default: 3,
    parse: parseInteger({ min: 0 }),
  }),
  lowWaterChips: setting({
    env: 'LOW_WATER_CHIPS',
    flag: '--low-water-chips',
    description: 'least low-water mark: fewer chips portions left makes the cook fry (raised with demand)',
    default: 6,
    parse: parseInteger({ min: 0 }),
  }),
  restockInterval: setting({
    env: 'RESTOCK_INTERVAL',
    flag: '--restock-interval',
    description: 'seconds between looks at the cabinet while not frying (real time, not scaled)',
    default: 0.5,
    // Up to a day: Node timers cannot wait much longer than 24 days and fire at once if asked to.
    parse: parseNumber({ min: 0.001, max: 86_400 }),
  }),
  fryerCapacity: setting({
    env: 'FRYER_CAPACITY',
    flag: '--fryer-capacity',
    description: 'portions one batch can hold (cod, chips and plaice together)',
    default: 60,
    // A Cooked names the batch's portions; readers take no more than limits.batchPortions of an item.
    parse: parseInteger({ min: 1, max: limits.batchPortions }),
  }),
};

type PolicyValues = Pick<
  ConfigValues<typeof cookSettings>,
  'targetCod' | 'targetChips' | 'lowWaterCod' | 'lowWaterChips' | 'restockInterval' | 'fryerCapacity'
>;

const settingName = (s: Setting<unknown>) => `${s.env} (${s.flag})`;

/**
 * Why the cook's settings make no sense together, in one line, or undefined: a low-water mark at or above
 * its standard level would have the cook fry after every sale, and a batch must hold the standard levels.
 */
export function stockPolicyProblem(config: PolicyValues): string | undefined {
  const pairs = [
    ['lowWaterCod', 'targetCod'],
    ['lowWaterChips', 'targetChips'],
  ] as const;
  for (const [low, target] of pairs) {
    if (config[low] >= config[target]) {
      return `invalid ${settingName(cookSettings[low])}: ${config[low]} is not below ${settingName(cookSettings[target])} ${config[target]}`;
    }
  }
  if (config.fryerCapacity < config.targetCod + config.targetChips) {
    return `invalid ${settingName(cookSettings.fryerCapacity)}: ${config.fryerCapacity} cannot hold the standard levels (${config.targetCod} cod + ${config.targetChips} chips)`;
  }
  return undefined;
}

/** The cook's standing rules from its settings; settings that make no sense together throw (`stockPolicyProblem`). */
export function stockPolicy(config: PolicyValues, timeScale: number): StockPolicy {
  const problem = stockPolicyProblem(config);
  if (problem) throw new Error(problem);
  return {
    standard: { cod: config.targetCod, chips: config.targetChips },
    minLowWater: { cod: config.lowWaterCod, chips: config.lowWaterChips },
    capacity: config.fryerCapacity,
    fryMaxSeconds: 3.2 * timeScale,
    lookSeconds: config.restockInterval,
  };
}
