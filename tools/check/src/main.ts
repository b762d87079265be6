#!/usr/bin/env node
// Can chippy reach everything it needs? One line per component, then exit 0 if all answered, else 1.
import { connectUrlSetting, describeKafka, kafkaAccessSettings, kafkaSettingsProblem } from '@chippy/kafka';
import { loadConfigOrExit, redactUrl } from '@chippy/runtime';
import { storeSettings } from '@chippy/stores';
import {
  checkKafka,
  checkKafkaConnect,
  checkPostgres,
  checkRedis,
  checkSchemaRegistry,
  describeFailure,
  withTimeout,
} from './connectivity.js';

const TIMEOUT_MS = 5000;

const { redisUrl, databaseUrl } = storeSettings;
const config = loadConfigOrExit({
  name: 'chippy-check',
  description: 'Checks that Kafka, the schema registry, Kafka Connect, PostgreSQL and Redis answer.',
  settings: {
    ...kafkaAccessSettings,
    connectUrl: connectUrlSetting,
    databaseUrl,
    redisUrl,
  },
  // The services' own refusals (e.g. SASL without TLS) hold for the check too.
  check: kafkaSettingsProblem,
});

const checks: { name: string; target: string; run: () => Promise<string> }[] = [
  {
    name: 'Kafka',
    target: `${config.kafkaUri} (${describeKafka(config)})`,
    run: () => checkKafka(config, TIMEOUT_MS),
  },
  {
    name: 'Schema registry',
    target: config.schemaRegistryUri,
    run: () => checkSchemaRegistry(config.schemaRegistryUri, TIMEOUT_MS),
  },
  {
    name: 'Kafka Connect',
    target: config.connectUrl,
    run: () => checkKafkaConnect(config.connectUrl, TIMEOUT_MS),
  },
  {
    name: 'PostgreSQL',
    target: config.databaseUrl,
    run: () => checkPostgres(config.databaseUrl, TIMEOUT_MS),
  },
  { name: 'Redis', target: config.redisUrl, run: () => checkRedis(config.redisUrl, TIMEOUT_MS) },
];

const results = await Promise.all(
  checks.map(async ({ name, target, run }) => {
    try {
      // Collapse whitespace: whatever a server reports must not break the one-line-per-component output.
      const detail = (await withTimeout(run(), TIMEOUT_MS)).replace(/\s+/g, ' ');
      return { name, target, ok: true, detail };
    } catch (error) {
      return { name, target, ok: false, detail: describeFailure(error) };
    }
  }),
);

const width = Math.max(...results.map(({ name }) => name.length)) + 1;
for (const { name, target, ok, detail } of results) {
  console.log(`${ok ? '✔' : '✘'} ${name.padEnd(width)}${redactUrl(target)} — ${detail}`);
}
// Exit explicitly: a client that never answered may still hold sockets or timers open.
process.exit(results.every(({ ok }) => ok) ? 0 : 1);
