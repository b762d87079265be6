import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Floor, startFloorReader } from '@chippy/floor';
import { createKafka, kafkaSettingsProblem } from '@chippy/kafka';
import { consumerGroups, shopSerde, topicNames } from '@chippy/shop';
import { createLogger, describeConfig, errorMessage, loadConfigOrExit, onUncaught } from '@chippy/runtime';
import { render } from 'ink';
import { FloorApp } from './app.js';
import { floorSettings } from './settings.js';

/** `npm run floor`: the shop floor's panels in the terminal, read from the shop's topics. */
const config = loadConfigOrExit({
  name: 'floor',
  description:
    "The shop floor in the terminal: a panel per till, preparer and cook, fed by the shop's topics (q quits).",
  settings: floorSettings,
  check: kafkaSettingsProblem,
});

mkdirSync(path.dirname(path.resolve(config.logFile)), { recursive: true });
const logger = createLogger('floor', config.logLevel, createWriteStream(config.logFile, { flags: 'a' }));
logger.info({ config: describeConfig(floorSettings, config) }, 'starting');

const stopping = new AbortController();
const kafka = createKafka(config, 'chippy-floor', logger);
const floor = new Floor();
const topics = topicNames(config.topicPrefix);
const reader = startFloorReader({
  kafka,
  admin: kafka.admin(),
  serde: shopSerde({
    registryUri: config.schemaRegistryUri,
    format: 'avro',
    logger,
    signal: stopping.signal,
  }),
  topics,
  groups: consumerGroups(config.topicPrefix),
  prefix: config.topicPrefix,
  floor,
  logger,
  signal: stopping.signal,
});

let quitting = false;
/** Set by a bug (onUncaught below): the floor then exits 1 and says why once the panels are gone. */
let failure: string | undefined;
async function quit(): Promise<void> {
  if (quitting) return;
  quitting = true;
  stopping.abort();
  // Leaving the reader's throwaway group takes a moment; a floor that will not stop is still stopped.
  const timeout = new Promise((resolve) => setTimeout(resolve, 5000).unref());
  await Promise.race([reader.done, timeout]);
  logger.info('floor closed');
  if (failure) {
    app.unmount();
    process.stderr.write(`floor: ${failure} (logs in ${config.logFile})\n`);
  }
  process.exit(failure ? 1 : 0);
}

const status = `${config.topicPrefix ? `TOPIC_PREFIX=${config.topicPrefix} · ` : ''}Kafka ${config.kafkaUri} · logs in ${config.logFile} · q quits`;
const read = () => floor.view(Date.now());
const app = render(<FloorApp read={read} intervalMs={250} status={status} onQuit={() => void quit()} />, {
  exitOnCtrlC: false,
});
process.on('SIGTERM', () => void quit());
process.on('SIGINT', () => void quit());
onUncaught((what, error) => {
  logger.fatal({ err: errorMessage(error) }, what);
  failure ??= `${what}: ${errorMessage(error)}`;
  void quit();
});
