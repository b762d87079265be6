import { commonSettings, parseString, setting } from '@chippy/messaging';

const {
  kafkaUri,
  certsDir,
  saslMechanism,
  saslUsername,
  saslPassword,
  schemaRegistryUri,
  topicPrefix,
  logLevel,
} = commonSettings;

/** Only what reading the shop needs: Kafka, the registry, the prefix; no Redis, PostgreSQL or HTTP port. */
export const floorSettings = {
  kafkaUri,
  certsDir,
  saslMechanism,
  saslUsername,
  saslPassword,
  schemaRegistryUri,
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
