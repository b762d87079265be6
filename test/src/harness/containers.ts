import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@chippy/local-stack';
import { fileURLToPath } from 'node:url';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { GenericContainer, Network, Wait } from 'testcontainers';
import type { Endpoints } from './endpoints.js';

/** The repository root (this file is test/{src,dist}/harness/containers.*). */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** An image pinned in deploy/versions.json, the versions Compose, Kubernetes and the native stack use. */
function pinnedImage(name: string): string {
  const file = path.join(repoRoot, 'deploy/versions.json');
  const { images } = JSON.parse(readFileSync(file, 'utf8')) as { images: Record<string, string> };
  const image = images[name];
  if (!image) throw new Error(`${file} pins no image ${name}`);
  return image;
}

/** A TCP port free on this host now. */

/**
 * The Docker path: the native stack's components as containers, at the versions of deploy/versions.json.
 * Kafka is the apache/kafka image Compose and Kubernetes run; Connect is built from Compose's own
 * Dockerfile (deploy/compose/connect), which carries the Debezium JDBC sink and Apicurio's converter the
 * native stack runs, so connector configs and tests are the same on every path. The Connect worker
 * shares the host's network, so the database and registry addresses the tests put in a connector config
 * (the mapped ports on this host) are the ones the worker reaches; host networking needs Docker on
 * Linux (or Docker Desktop 4.34+ with host networking on).
 * (This machine has no Docker engine; this path is for machines that do.)
 */
export async function startContainers(
  log: (line: string) => void,
): Promise<{ endpoints: Endpoints; stop(): Promise<void> }> {
  log('starting containers (testcontainers)…');
  const network = await new Network().start();
  const kafkaPort = await freePort();
  const [kafka, postgres, redis, registry, connectImage] = await Promise.all([
    new GenericContainer(pinnedImage('kafka'))
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
        KAFKA_LISTENERS: `PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:${kafkaPort}`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://kafka:9092,HOST://127.0.0.1:${kafkaPort}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .withExposedPorts({ container: kafkaPort, host: kafkaPort })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
    new PostgreSqlContainer(pinnedImage('postgres'))
      .withDatabase('chippy')
      .withUsername('postgres')
      .withPassword('postgres')
      .withNetwork(network)
      .withNetworkAliases('postgres')
      .start(),
    new RedisContainer(pinnedImage('redis')).start(),
    new GenericContainer(pinnedImage('apicurio'))
      .withNetwork(network)
      .withNetworkAliases('registry')
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
    GenericContainer.fromDockerfile(repoRoot, 'deploy/compose/connect/Dockerfile').build(
      'chippy-connect:test',
      {
        deleteOnExit: false,
      },
    ),
  ]);
  const connectPort = await freePort();
  const connect = await connectImage
    .withNetworkMode('host')
    .withEnvironment({
      CONNECT_BOOTSTRAP_SERVERS: `127.0.0.1:${kafkaPort}`,
      CONNECT_GROUP_ID: 'chippy-connect',
      CONNECT_REPLICATION_FACTOR: '1',
      CONNECT_ADVERTISED_HOST: '127.0.0.1',
      CONNECT_REST_PORT: String(connectPort),
      // The tests' database password rides in the connector config for the native target (local).
      JDBC_PASSWORD: 'postgres',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Connect started/))
    .start();

  const host = (c: { getHost(): string }) => c.getHost();
  return {
    endpoints: {
      KAFKA_SERVICE_URI: `127.0.0.1:${kafkaPort}`,
      SCHEMA_REGISTRY_URI: `http://${host(registry)}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      CONNECT_URL: `http://127.0.0.1:${connectPort}`,
      DATABASE_URL: postgres.getConnectionUri(),
      REDIS_URL: `redis://${host(redis)}:${redis.getMappedPort(6379)}`,
    },
    async stop() {
      await Promise.all([connect.stop(), kafka.stop(), postgres.stop(), redis.stop(), registry.stop()]);
      await network.stop();
    },
  };
}
