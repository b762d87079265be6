import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Json, entryPointOf, envVarsOf, inRepo, repoRoot, shellVarsOf, sinkConfigsOf } from './repo.js';

const cache = new Map<string, Set<string>>();
/** What an entry point reads, from its --help; the connectors CLI must be built for this check. */
function readBy(entry: string): Set<string> {
  if (!cache.has(entry)) cache.set(entry, envVarsOf(entry));
  return cache.get(entry) as Set<string>;
}

/**
 * A container's env var names that its program does not read. Programs: the chippy services and the
 * connectors CLI (by their --help), the Connect worker (by start-connect.sh). Third-party images
 * (Kafka, Karapace, PostgreSQL…) are not checked here.
 */
export function unreadEnv(where: string, command: unknown, image: unknown, env: Iterable<string>): string[] {
  let known: Set<string> | undefined;
  const entry = entryPointOf(command);
  if (entry) known = readBy(entry);
  else if (typeof image === 'string' && image.startsWith('chippy-connect'))
    known = shellVarsOf(inRepo('deploy/compose/connect/start-connect.sh'));
  if (!known) return [];
  const program = entry ?? 'start-connect.sh';
  return [...env]
    .filter((name) => !known.has(name))
    .map((name) => `${where}: ${name} is not read by ${program}`);
}

/** Classes the Connect image provides, and where each comes from (the check looks for the artifact). */
const PLUGINS: Record<string, { file: string; artifact: string }> = {
  'io.debezium.connector.jdbc.JdbcSinkConnector': {
    file: 'deploy/compose/connect/Dockerfile',
    artifact: 'io.debezium:debezium-connector-jdbc:',
  },
  'io.confluent.connect.avro.AvroConverter': {
    file: 'deploy/compose/connect/avro-converter.pom.xml',
    artifact: '<artifactId>kafka-connect-avro-converter</artifactId>',
  },
  'io.apicurio.registry.utils.converter.AvroConverter': {
    file: 'deploy/compose/connect/apicurio-converter.pom.xml',
    artifact: '<artifactId>apicurio-registry-utils-converter</artifactId>',
  },
  'chippy.connect.RetryingAvroConverter': {
    file: 'deploy/compose/connect/Dockerfile',
    artifact: 'chippy-connect-converter.jar /plugins/apicurio-avro-converter/',
  },
};
const BUILT_IN = /^org\.apache\.kafka\.connect\.(storage\.StringConverter|json\.JsonConverter|converters\.)/;

/**
 * The sink configs a deploy command uses exist, and (for the in-deploy Connect worker) every connector
 * and converter class they name is installed in the Connect image.
 */
export function sinkConfigProblems(
  where: string,
  command: unknown,
  inDeployConnect: boolean,
  root = repoRoot,
): string[] {
  const at = (file: string) => path.join(root, file);
  const problems: string[] = [];
  for (const config of sinkConfigsOf(command)) {
    if (!existsSync(at('connectors/sink'))) {
      problems.push(`${where}: connectors/sink/ (the sink's connector configs) does not exist`);
      continue;
    }
    if (!existsSync(at(config))) {
      problems.push(`${where}: ${config} does not exist`);
      continue;
    }
    if (!inDeployConnect) continue;
    const sink = JSON.parse(readFileSync(at(config), 'utf8')) as Json;
    for (const key of ['connector.class', 'key.converter', 'value.converter']) {
      const cls = sink[key];
      if (typeof cls !== 'string' || BUILT_IN.test(cls)) continue;
      const plugin = PLUGINS[cls];
      if (!plugin)
        problems.push(`${where}: ${config} ${key} ${cls} is not a plugin the Connect image installs`);
      else if (!readFileSync(at(plugin.file), 'utf8').includes(plugin.artifact))
        problems.push(
          `${where}: ${config} needs ${cls}, but ${plugin.file} does not fetch ${plugin.artifact}`,
        );
    }
  }
  return problems;
}

/**
 * Config provider references in a sink config (`${env:NAME}`): the worker that runs it enables the
 * provider (start-connect.sh writes config.providers with that alias and allows NAME) and its container
 * is given NAME; otherwise the connector would get the literal text as its password.
 */
export function configProviderProblems(
  where: string,
  sinkConfig: Record<string, string>,
  workerEnv: Set<string>,
  startScript = readFileSync(inRepo('deploy/compose/connect/start-connect.sh'), 'utf8'),
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(sinkConfig)) {
    for (const m of value.matchAll(/\$\{([a-z]+):([^}]+)\}/g)) {
      const [, alias, name] = m as unknown as [string, string, string];
      if (!new RegExp(`^config\\.providers=.*\\b${alias}\\b`, 'm').test(startScript))
        problems.push(
          `${where}: ${key} uses the config provider ${alias}, which start-connect.sh does not enable`,
        );
      else if (alias === 'env') {
        const allow = new RegExp(`^config\\.providers\\.env\\.param\\.allowlist\\.pattern=(.*)$`, 'm').exec(
          startScript,
        )?.[1];
        if (allow && !new RegExp(allow.replace(/\\\$$/, '$')).test(name))
          problems.push(
            `${where}: ${key} reads ${name}, which the env provider's allowlist (${allow}) refuses`,
          );
        if (!workerEnv.has(name))
          problems.push(`${where}: ${key} reads ${name}, which the Connect container is not given`);
      }
    }
  }
  return problems;
}
