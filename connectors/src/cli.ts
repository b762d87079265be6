#!/usr/bin/env node
// The orders table and the JDBC sink: `migrate` applies the DDL, `deploy` renders and installs the
// connector for a target and format, `status` and `delete` look after it, `render` prints the config.
// `schemas-check` and `topics` compare the repository's schemas and topic declarations with the cluster's.
import {
  ConfigError,
  errorMessage,
  loadConfig,
  redactUrl,
  redactUrlsIn,
  type Settings,
} from '@chippy/runtime';
import { connectApi, describeStatus, isRunning } from './connect-api.js';
import { ConnectorFailed, deployConnector } from './deploy.js';
import { migrate } from './migrate.js';
import { runWatchService } from './watch-service.js';
import { redactConnector, renderConnector } from './render.js';
import { runSchemasCheck, runTopics, schemasCheckSettings, topicsSettings } from './cluster-commands.js';
import { connectorNameOf, connectorSettings } from './settings.js';

const commands = [
  'migrate',
  'deploy',
  'watch',
  'status',
  'restart',
  'delete',
  'replay',
  'render',
  'schemas-check',
  'topics',
] as const;
type Command = (typeof commands)[number];
const usage = `usage: cli.js <${commands.join('|')}> [flags]  (--help lists the flags)`;

const [command, ...argv] = process.argv.slice(2);
const log = (line: string) => console.log(line);

if (command === '--help' || command === '-h' || command === undefined) {
  console.log(`${usage}
  migrate  apply connectors/sql/*.sql to DATABASE_URL (creating the database if missing), each once
  deploy   render connectors/sink/<target>-<format>.json, PUT it to Kafka Connect, wait until RUNNING
  watch    keep watching the connector and restart it when a task FAILS (Connect never does), until SIGTERM
  status   the connector's and its tasks' states (exit 1 unless all RUNNING), with any error trace
  restart  restart the connector and any FAILED task (e.g. after a database outage that outlasted the retries)
  delete   remove the connector
  replay   reset the connector's offsets so it copies the topic again from the start (rows are upserted)
  render   print the rendered config, secrets masked
  schemas-check  ask the schema registry whether each connectors/schemas/*.avsc may follow the latest
           version of its subject (exit 1 if one would break readers) — flags: cli.js schemas-check --help
  topics   each topic's declared partitions, replication, retention and cleanup policy beside the broker's
           (drift is a warning, exit 0) — flags: cli.js topics --help`);
  if (command === undefined) process.exit(2);
  loadConfig({
    name: 'connectors',
    description: 'flags of every command',
    settings: connectorSettings,
    argv: ['--help'],
  });
}
if (!commands.includes(command as Command)) {
  console.error(`connectors: unknown command ${JSON.stringify(command)}; ${usage}`);
  process.exit(2);
}

/** Loads a command's own settings: a bad one is one line and exit 2. */
function load<S extends Settings>(settings: S, description: string) {
  try {
    return loadConfig({ name: `connectors ${command}`, description, settings, argv });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`connectors: ${error.message}`);
    process.exit(2);
  }
}
if (command === 'schemas-check') {
  process.exitCode = await runSchemasCheck(
    load(schemasCheckSettings, 'Checks every schema file against its subject in the schema registry.'),
    log,
  );
  process.exit();
}
if (command === 'topics') {
  process.exitCode = await runTopics(
    load(topicsSettings, "The shop's topics as declared beside the broker's actual settings."),
    log,
  );
  process.exit();
}

let config;
try {
  config = loadConfig({
    name: `connectors ${command}`,
    description: 'The orders table and the JDBC sink connector.',
    settings: connectorSettings,
    argv,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`connectors: ${error.message}`);
  process.exit(2);
}

const name = connectorNameOf(config);
const api = connectApi(config.connectUrl);
try {
  switch (command as Command) {
    case 'migrate':
      log(`migrating ${redactUrl(config.databaseUrl)}`);
      await migrate(config.databaseUrl, log);
      break;
    case 'deploy':
      await deployConnector(config, log);
      break;
    case 'watch':
      await runWatchService(config);
      break;
    case 'status': {
      const status = await api.status(name);
      log(`${name}: ${describeStatus(status)}`);
      for (const s of [status?.connector, ...(status?.tasks ?? [])]) if (s?.trace) log(s.trace);
      process.exitCode =
        status && [status.connector, ...status.tasks].every((s) => s.state === 'RUNNING') ? 0 : 1;
      break;
    }
    case 'restart':
      await api.restartFailed(name);
      log(`${name}: ${describeStatus(await api.waitFor(name, isRunning, config.waitSeconds * 1000))}`);
      break;
    case 'delete':
      log((await api.remove(name)) ? `deleted connector ${name}` : `no connector ${name}`);
      break;
    case 'replay':
      await api.resetOffsets(name);
      log(`connector ${name}: offsets reset; it copies ${config.topicPrefix}orders again from the start`);
      break;
    case 'render':
      log(JSON.stringify(redactConnector(renderConnector(config)), null, 2));
      break;
  }
} catch (error) {
  console.error(`connectors ${command}: ${redactUrlsIn(errorMessage(error))}`);
  if (error instanceof ConnectorFailed && error.trace) console.error(error.trace);
  process.exitCode = 1;
}
