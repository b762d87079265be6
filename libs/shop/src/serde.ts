import { createSerde, type Serde, type SerdeOptions } from '@chippy/kafka';
import { messageChecks } from './valid.js';

/**
 * @chippy/kafka's serde with the shop's checks: every reader refuses, as `invalid-value`, what
 * libs/shop/src/valid.ts says no shop message may be beyond its schema.
 */
export const shopSerde = (options: Omit<SerdeOptions, 'checks'>): Serde =>
  createSerde({ ...options, checks: messageChecks });
