import { randomUUID } from 'node:crypto';
import { createKafka } from '@chippy/kafka';
import { createLogger, type Logger } from '@chippy/runtime';
import type { Kafka } from 'kafkajs';
import { endpointsFromEnv } from './endpoints.js';

/** A quiet logger for test-side clients (warnings and errors still show). */
export const testLogger: Logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** A Kafka client for the stack under test, made by the project's own factory (logging to `logger`). */
export function testKafka(clientId = 'chippy-test', logger: Logger = testLogger): Kafka {
  const { KAFKA_SERVICE_URI } = endpointsFromEnv();
  return createKafka(
    {
      kafkaUri: KAFKA_SERVICE_URI,
      certsDir: process.env.KAFKA_CERTS_DIR ?? 'certs',
      saslMechanism: 'none',
      saslUsername: '',
      saslPassword: '',
    },
    clientId,
    logger,
  );
}

/** A name no earlier run used, so tests never see each other's messages. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
