import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fetchArtifacts } from '@chippy/local-stack';
import {
  brokerAnswers,
  formatStorage,
  kafkaClassArgs,
  singleBrokerSettings,
  writeLog4jConfig,
} from '@chippy/local-stack/components/kafka';
import { javaBinary } from '@chippy/local-stack/java';
import type { TestCerts } from './certs.js';
import { outputDir } from './services.js';

/**
 * A second Kafka broker from the native stack's jars, secured as a managed Kafka is:
 * - `ssl` (127.0.0.1:9192): TLS, a client certificate from the test CA required (Aiven's default);
 * - `saslSsl` (127.0.0.1:9193): TLS without a client certificate, SASL SCRAM-SHA-256/512;
 * - the KRaft controller on 127.0.0.1:9194 (plaintext, only the broker itself uses it).
 * The SCRAM user is added when the storage is formatted. Data lives under `dir`; the log goes to
 * test-output/secure-broker.log.
 */
export interface SecureBroker {
  ssl: string;
  saslSsl: string;
  scram: { username: string; password: string };
  stop(): Promise<void>;
}

const host = '127.0.0.1';
export const securePorts = { ssl: 9192, saslSsl: 9193, controller: 9194 } as const;

export async function startSecureBroker(dir: string, certs: TestCerts): Promise<SecureBroker> {
  // The stack's jars: present when this checkout started the stack, fetched (from the Maven cache) if not.
  await fetchArtifacts(() => undefined);
  const dataDir = path.join(dir, 'kafka-data');
  const configFile = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j2.properties');
  mkdirSync(dataDir, { recursive: true });
  writeLog4jConfig(log4j);
  const scram = { username: 'chippy-test', password: `scram-${randomBytes(12).toString('hex')}` };
  const { ssl, saslSsl, controller } = securePorts;
  const scramJaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  writeFileSync(
    configFile,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${host}:${controller}`,
      `listeners=SSL://${host}:${ssl},SASL_SSL://${host}:${saslSsl},CONTROLLER://${host}:${controller}`,
      `advertised.listeners=SSL://${host}:${ssl},SASL_SSL://${host}:${saslSsl}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL',
      'inter.broker.listener.name=SSL',
      // PEM files, no keytool: the key and certificate chain in one file, the CA as the trust store.
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${certs.brokerPem}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${certs.caPem}`,
      'ssl.client.auth=required',
      // SASL endpoints authenticate by password; TLS there only encrypts and proves the broker (as on Aiven).
      'listener.name.sasl_ssl.ssl.client.auth=none',
      'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
      `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scramJaas}`,
      `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scramJaas}`,
      `log.dirs=${dataDir}`,
      ...singleBrokerSettings,
      '',
    ].join('\n'),
  );
  formatStorage(configFile, log4j, [
    '--add-scram',
    `SCRAM-SHA-256=[name=${scram.username},password=${scram.password}]`,
    '--add-scram',
    `SCRAM-SHA-512=[name=${scram.username},password=${scram.password}]`,
  ]);

  mkdirSync(outputDir, { recursive: true });
  const log = createWriteStream(path.join(outputDir, 'secure-broker.log'));
  const child: ChildProcess = spawn(
    javaBinary(),
    ['-Xms384m', '-Xmx384m', '-XX:+UseSerialGC', ...kafkaClassArgs(log4j, 'kafka.Kafka', configFile)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  const broker: SecureBroker = {
    ssl: `${host}:${ssl}`,
    saslSsl: `${host}:${saslSsl}`,
    scram,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntilAnswers(broker, certs, exited);
  } catch (error) {
    await broker.stop();
    throw error;
  }
  return broker;
}

/** A metadata round trip over the SSL listener with the right client certificate. */
async function waitUntilAnswers(broker: SecureBroker, certs: TestCerts, exited: Promise<void>) {
  const { readFileSync } = await import('node:fs');
  const read = (file: string) => readFileSync(path.join(certs.clientDir, file), 'utf8');
  const deadline = Date.now() + 90_000;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error('the secure broker exited during start-up (see test-output/secure-broker.log)');
    const ssl = { ca: [read('ca.pem')], cert: read('service.cert'), key: read('service.key') };
    if (await brokerAnswers(broker.ssl, { ssl, timeoutMs: 2000 })) return;
    if (Date.now() > deadline) throw new Error('the secure broker did not answer within 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}
