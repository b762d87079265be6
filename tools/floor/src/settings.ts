import { kafkaAccessSettings } from '@chippy/kafka';
import { parseString, runtimeSettings, setting } from '@chippy/runtime';
import { shopSettings } from '@chippy/shop';

const { topicPrefix } = shopSettings;
const { logLevel } = runtimeSettings;

/** Only what reading the shop needs: Kafka, the registry, the prefix; no Redis, PostgreSQL or HTTP port. */
export const floorSettings = {
  ...kafkaAccessSettings,
  topicPrefix,
  logLevel,
  logFile: setting({
    env: 'FLOOR_LOG_FILE',
    flag: '--log-file',
    description: 'where the floor logs (the terminal belongs to the panels)',
    default: 'logs/floor.log',
    parse: parseString,
  }),
};
