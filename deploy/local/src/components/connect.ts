import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../paths.js';
import { httpAnswers } from '../probes.js';
import type { Component } from './component.js';
import { JavaProcess } from './java-process.js';
import { kafkaClassArgs, kafkaHost, kafkaPort, writeLog4jConfig } from './kafka.js';

export const connectUrl = 'http://127.0.0.1:8083';

/** What the shop's connectors need from the worker. */
const requiredPlugins = [
  'io.debezium.connector.jdbc.JdbcSinkConnector',
  'chippy.connect.RetryingAvroConverter',
  'org.apache.kafka.connect.json.JsonConverter',
];

/** Kafka Connect in distributed mode, with the Debezium JDBC sink and chippy's Apicurio Avro converter. */
export function connect(): Component {
  const jvm = new JavaProcess('connect', '512m');
  const configFile = path.join(paths.config, 'connect-worker.properties');
  const log4j = path.join(paths.config, 'log4j2.properties');
  return {
    name: 'connect',
    title: 'Kafka Connect (JDBC sink)',
    address: connectUrl,
    startupTimeoutMs: 120_000,
    logFile: jvm.logFile,
    dependsOn: ['kafka'],
    // /connectors answers only once the worker has joined its group and read the config topic.
    answers: () => httpAnswers(`${connectUrl}/connectors`),
    owned: () => jvm.owned(),
    stop: () => jvm.stop(),
    async afterStart() {
      const res = await fetch(`${connectUrl}/connector-plugins?connectorsOnly=false`);
      const classes = ((await res.json()) as { class: string }[]).map((p) => p.class);
      const missing = requiredPlugins.filter((p) => !classes.includes(p));
      if (missing.length > 0) throw new Error(`Kafka Connect is missing plugins: ${missing.join(', ')}`);
    },
    start() {
      writeLog4jConfig(log4j);
      writeFileSync(
        configFile,
        [
          `bootstrap.servers=${kafkaHost}:${kafkaPort}`,
          'group.id=chippy-connect',
          'key.converter=org.apache.kafka.connect.storage.StringConverter',
          'value.converter=org.apache.kafka.connect.json.JsonConverter',
          'config.storage.topic=_connect-configs',
          'offset.storage.topic=_connect-offsets',
          'status.storage.topic=_connect-status',
          'config.storage.replication.factor=1',
          'offset.storage.replication.factor=1',
          'status.storage.replication.factor=1',
          'offset.storage.partitions=3',
          'status.storage.partitions=1',
          'listeners=http://127.0.0.1:8083',
          'rest.advertised.host.name=127.0.0.1',
          'rest.advertised.port=8083',
          `plugin.path=${paths.plugins}`,
          'offset.flush.interval.ms=5000',
          // One worker: a lost member's tasks wait 10 s, not 5 min, for it (deploy/compose/connect/start-connect.sh).
          'scheduled.rebalance.max.delay.ms=10000',
          // The plugins here predate ServiceLoader manifests; scanning finds them without a warning per start.
          'plugin.discovery=only_scan',
          '',
        ].join('\n'),
      );
      jvm.start(kafkaClassArgs(log4j, 'org.apache.kafka.connect.cli.ConnectDistributed', configFile));
      return Promise.resolve();
    },
  };
}
