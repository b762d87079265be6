import { readdirSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../paths.js';
import { httpAnswers } from '../probes.js';
import type { Component } from './component.js';
import { JavaProcess } from './java-process.js';

const registryPort = 8081;
/** What clients use as SCHEMA_REGISTRY_URI: Apicurio's Confluent-compatible API. */
export const registryUri = `http://127.0.0.1:${registryPort}/apis/ccompat/v7`;
/** Apicurio's own API, which its Kafka Connect converter talks to. */
export const registryNativeApi = `http://127.0.0.1:${registryPort}/apis/registry/v2`;

/** Apicurio Registry with its Confluent-compatible API; schemas persist in an H2 file under .stack/data. */
export function registry(): Component {
  const jvm = new JavaProcess('registry', '256m');
  return {
    name: 'registry',
    title: 'Schema registry (Apicurio, Confluent API)',
    address: registryUri,
    startupTimeoutMs: 60_000,
    logFile: jvm.logFile,
    answers: () => httpAnswers(`${registryUri}/subjects`),
    owned: () => jvm.owned(),
    stop: () => jvm.stop(),
    start() {
      const runner = readdirSync(paths.registry).find((f) => f.endsWith('-runner.jar'));
      if (!runner) throw new Error(`no Apicurio runner jar in ${paths.registry}`);
      jvm.start([
        `-Dquarkus.http.host=127.0.0.1`,
        `-Dquarkus.http.port=${registryPort}`,
        // The default is an in-memory database: schema ids would change on every restart while old
        // messages in Kafka still carry the old ids.
        `-Dquarkus.datasource.jdbc.url=jdbc:h2:file:${path.join(paths.data, 'registry/registry')}`,
        '-Dquarkus.datasource.jdbc.min-size=2',
        '-Dquarkus.datasource.jdbc.initial-size=2',
        '-Dquarkus.datasource.jdbc.max-size=10',
        '-jar',
        path.join(paths.registry, runner),
      ]);
      return Promise.resolve();
    },
  };
}
