import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { paths } from '../paths.js';
import { classpathOf, javaBinary } from '../java.js';
import type { Component } from './component.js';
import { JavaProcess } from './java-process.js';

export const kafkaHost = '127.0.0.1';
export const kafkaPort = 9092;
const controllerPort = 9093;

/** What a one-broker cluster here needs, whatever its listeners (the stack's, and tests' own brokers). */
export const singleBrokerSettings = [
  // One broker: every internal topic has one replica.
  'offsets.topic.replication.factor=1',
  'transaction.state.log.replication.factor=1',
  'transaction.state.log.min.isr=1',
  'share.coordinator.state.topic.replication.factor=1',
  'share.coordinator.state.topic.min.isr=1',
  // Tests and demos start consumers and expect assignment at once.
  'group.initial.rebalance.delay.ms=0',
  // Topics are created by the services that write them, with their partition counts.
  'auto.create.topics.enable=false',
  'num.partitions=3',
];

/** Apache Kafka in KRaft combined mode (one node is broker and controller), as the native stack runs it. */
export function kafka(): Component {
  const jvm = new JavaProcess('kafka', '512m');
  const dataDir = path.join(paths.data, 'kafka');
  const configFile = path.join(paths.config, 'kafka-server.properties');
  const log4j = path.join(paths.config, 'log4j2.properties');

  return {
    name: 'kafka',
    title: 'Kafka broker (KRaft)',
    address: `${kafkaHost}:${kafkaPort}`,
    startupTimeoutMs: 60_000,
    logFile: jvm.logFile,
    answers: () => brokerAnswers(`${kafkaHost}:${kafkaPort}`),
    owned: () => jvm.owned(),
    stop: () => jvm.stop(),
    start() {
      writeLog4jConfig(log4j);
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(
        configFile,
        [
          'process.roles=broker,controller',
          'node.id=1',
          `controller.quorum.voters=1@${kafkaHost}:${controllerPort}`,
          `listeners=PLAINTEXT://${kafkaHost}:${kafkaPort},CONTROLLER://${kafkaHost}:${controllerPort}`,
          `advertised.listeners=PLAINTEXT://${kafkaHost}:${kafkaPort}`,
          'controller.listener.names=CONTROLLER',
          'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          'inter.broker.listener.name=PLAINTEXT',
          `log.dirs=${dataDir}`,
          ...singleBrokerSettings,
          '',
        ].join('\n'),
      );
      format(configFile, dataDir, log4j);
      jvm.start(kafkaClassArgs(log4j, 'kafka.Kafka', configFile));
      return Promise.resolve();
    },
  };
}

/** KRaft storage must be formatted once; the meta.properties file says it has been. */
function format(configFile: string, dataDir: string, log4j: string): void {
  if (existsSync(path.join(dataDir, 'meta.properties'))) return;
  formatStorage(configFile, log4j, ['--ignore-formatted']);
}

/** Formats KRaft storage under a new cluster id, with StorageTool's `options` (e.g. --add-scram). */
export function formatStorage(configFile: string, log4j: string, options: string[] = []): void {
  execFileSync(
    javaBinary(),
    kafkaClassArgs(
      log4j,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      configFile,
      ...options,
    ),
    { stdio: 'ignore' },
  );
}

/**
 * What `StorageTool random-uuid` prints: 16 random bytes, base64url — made here so no tool output can leak
 * in. Like Kafka's own Uuid, never starting with '-', which a command line would take for an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The JVM's arguments to run `mainClass` from Kafka's jars (broker, Connect, tools), logging as `log4j` says. */
export function kafkaClassArgs(log4j: string, mainClass: string, ...args: string[]): string[] {
  return [`-Dlog4j2.configurationFile=${log4j}`, '-cp', classpathOf(paths.kafkaLib), mainClass, ...args];
}

/** Kafka, Connect and the tools log to stdout (the stack's log file) at INFO, quieter for chatty packages. */
export function writeLog4jConfig(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    [
      'status = warn',
      'appender.console.type = Console',
      'appender.console.name = STDOUT',
      'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = info',
      'rootLogger.appenderRef.stdout.ref = STDOUT',
      'logger.state.name = state.change.logger',
      'logger.state.level = warn',
      'logger.reflections.name = org.reflections',
      'logger.reflections.level = error',
      '',
    ].join('\n'),
  );
}

/** A real metadata round trip, not just an open port (over TLS when `ssl` is given). */
export async function brokerAnswers(
  broker: string,
  { ssl, timeoutMs = 1000 }: { ssl?: KafkaConfig['ssl']; timeoutMs?: number } = {},
): Promise<boolean> {
  const admin = new Kafka({
    brokers: [broker],
    clientId: 'chippy-stack-probe',
    ...(ssl && { ssl }),
    connectionTimeout: timeoutMs,
    requestTimeout: 2 * timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
