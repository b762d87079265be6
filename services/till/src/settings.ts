import { hostname } from 'node:os';
import { parseBoolean, parseEnum, parseInteger, parseNumber, setting } from '@chippy/runtime';
import { parseId } from '@chippy/shop';
import { partitionModes } from './partition.js';

/** The till's own settings, in the order --help lists them after the common ones. */
export const tillSettings = {
  tillId: setting({
    env: 'TILL_ID',
    flag: '--till-id',
    description: 'name of this till (on every order)',
    default: hostname(),
    parse: parseId,
  }),
  plaice: setting({
    env: 'TILL_PLAICE',
    flag: '--plaice',
    description: 'plaice on the menu (true/false)',
    default: false,
    parse: parseBoolean,
  }),
  orders: setting({
    env: 'TILL_ORDERS',
    flag: '--orders',
    description: 'stop after this many orders; 0 = until stopped',
    default: 0,
    parse: parseInteger({ min: 0 }),
  }),
  rate: setting({
    env: 'TILL_RATE',
    flag: '--rate',
    description: 'orders per second on a fixed schedule (load); 0 = the till pace, 1.0-1.5 s × TIME_SCALE',
    default: 0,
    parse: parseNumber({ min: 0 }),
  }),
  partitionBy: setting({
    env: 'TILL_PARTITION_BY',
    flag: '--partition-by',
    description:
      "order_id: orders spread over every partition by key; till: all of this till's orders on its own partition (till-1 → 0, as in demo3)",
    default: 'order_id',
    parse: parseEnum(partitionModes),
  }),
};
