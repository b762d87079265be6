import { createKafka, kafkaSettings, kafkaSettingsProblem } from '@chippy/kafka';
import { createLogger, errorMessage, redactUrl, setting, type ConfigValues } from '@chippy/runtime';
import { shopSettings } from '@chippy/shop';
import { schemasDir } from './schema-files.js';
import { checkSchemas, describeChecks } from './schemas-check.js';
import { topicsReport } from './topics-report.js';

const { schemaRegistryUri, kafkaUri, certsDir, saslMechanism, saslUsername, saslPassword } = kafkaSettings;
const { topicPrefix, replicationFactor, ordersPartitions } = shopSettings;

export const schemasCheckSettings = {
  schemaRegistryUri,
  topicPrefix,
  schemasDir: setting({
    env: 'SCHEMAS_DIR',
    flag: '--schemas-dir',
    description: 'the directory of .avsc files to check',
    default: schemasDir,
    parse: (raw: string) => raw,
  }),
};

/** `schemas-check`: one line per schema file; exit 1 when one would break readers or could not be checked. */
export async function runSchemasCheck(
  config: ConfigValues<typeof schemasCheckSettings>,
  log: (line: string) => void,
): Promise<number> {
  log(`checking ${config.schemasDir} against ${redactUrl(config.schemaRegistryUri)}`);
  try {
    const { lines, ok } = describeChecks(
      await checkSchemas({ ...config, registryUri: config.schemaRegistryUri }),
    );
    lines.forEach((line) => log(line));
    return ok ? 0 : 1;
  } catch (error) {
    console.error(`connectors schemas-check: ${errorMessage(error)}`);
    return 1;
  }
}

export const topicsSettings = {
  kafkaUri,
  certsDir,
  saslMechanism,
  saslUsername,
  saslPassword,
  topicPrefix,
  replicationFactor,
  ordersPartitions,
};

/** `topics`: the declared settings beside the broker's; drift is a warning (exit 0), no broker exit 1. */
export async function runTopics(
  config: ConfigValues<typeof topicsSettings>,
  log: (line: string) => void,
): Promise<number> {
  const problem = kafkaSettingsProblem(config);
  if (problem) {
    console.error(`connectors: ${problem}`);
    return 2;
  }
  const kafka = createKafka(config, 'chippy-topics', createLogger('topics', 'silent'), {
    retry: { retries: 2 },
    connectionTimeout: 5000,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { lines } = await topicsReport(admin, config);
    lines.forEach((line) => log(line));
    return 0;
  } catch (error) {
    console.error(`connectors topics: ${errorMessage(error)} (${config.kafkaUri})`);
    return 1;
  } finally {
    await admin.disconnect();
  }
}
