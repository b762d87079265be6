import { freePort, repoRoot } from '@chippy/dev-utils';
import type { ContainerEngine } from './container-engine.js';
import type { Endpoints } from './endpoints.js';
import { pinnedImages, provideImages } from './stand-ins.js';

/** Labels every container of the Docker path with the run that started it, so stop() finds them all. */
const runLabelName = 'io.chippy.test-stack.run';
const runLabel = { 'io.chippy.test-stack': 'docker-path', [runLabelName]: `${process.pid}-${Date.now()}` };

/** The Connect image the path builds from Compose's own Dockerfile (no tag of a registry: never pulled). */
const connectImage = 'chippy-connect:test';

/**
 * The Docker path: the native stack's components as containers, at the versions deploy/versions.json pins,
 * on `engine` (Docker's API, or podman's served by test/src/harness/container-engine.ts). Kafka is the
 * apache/kafka image Compose and Kubernetes run; Connect is built from Compose's own Dockerfile
 * (deploy/compose/connect), which carries the Debezium JDBC sink and Apicurio's converter the native stack
 * runs, so connector configs and tests are the same on every path. The Connect worker shares the host's
 * network, so the database and registry addresses the tests put in a connector config (the ports
 * published on this host's 127.0.0.1) are the ones the worker reaches; host networking needs Docker on
 * Linux (or Docker Desktop 4.34+ with host networking on), or podman.
 * Images no registry serves here are stood in (test/stand-ins/README.md).
 */
export async function startContainers(
  engine: ContainerEngine,
  log: (line: string) => void,
): Promise<{ endpoints: Endpoints; stop(): Promise<void> }> {
  // testcontainers reads these when it first makes its client. Ryuk (its reaper) is one more image to
  // pull, which no registry serves here; stop() removes everything this run started instead.
  if (engine.env.DOCKER_HOST) process.env.DOCKER_HOST = engine.env.DOCKER_HOST;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const { GenericContainer, Network, Wait } = await import('testcontainers');

  const images = pinnedImages();
  // maven: the Connect Dockerfile's build stage; apache/kafka: its base, and the broker.
  const wanted = [images.kafka!, images.postgres!, images.redis!, images.apicurio!, images.maven!];
  const missing = (await provideImages(engine, wanted, log)).filter((i) => i.source === 'missing');
  if (missing.length > 0)
    throw new Error(`the Docker path cannot run without ${missing.map((i) => i.image).join(', ')}`);

  log('starting containers (testcontainers)…');
  const started: { stop(): Promise<unknown> }[] = [];
  const network = await new Network().start();
  const stopAll = async () => {
    // Stopping removes each container and its anonymous volumes (testcontainers' default); then any
    // container of this run that failed before it was handed back (a wait that timed out) goes too.
    await Promise.allSettled(started.splice(0).map((c) => c.stop()));
    const left = await engine
      .cli(['ps', '-aq', '--filter', `label=${runLabelName}=${runLabel[runLabelName]}`])
      .catch(() => '');
    const ids = left.split('\n').filter(Boolean);
    if (ids.length > 0) await engine.cli(['rm', '-f', '-v', ...ids]).catch(() => undefined);
    await network.stop().catch(() => undefined);
  };
  const keep = <T extends { stop(): Promise<unknown> }>(container: T): T => {
    started.push(container);
    return container;
  };
  try {
    const kafkaPort = await freePort();
    const results = await Promise.allSettled([
      new GenericContainer(images.kafka!)
        .withLabels(runLabel)
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
        // 9092 published too, unused: podman lists every port an image EXPOSEs among the container's
        // port bindings, and testcontainers waits until each of those is bound on the host.
        .withExposedPorts({ container: kafkaPort, host: kafkaPort }, 9092)
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .withStartupTimeout(300_000)
        .start()
        .then(keep),
      new PostgreSqlContainer(images.postgres!)
        .withLabels(runLabel)
        .withDatabase('chippy')
        .withUsername('postgres')
        .withPassword('postgres')
        .withNetwork(network)
        .withNetworkAliases('postgres')
        .withStartupTimeout(300_000)
        .start()
        .then(keep),
      new RedisContainer(images.redis!).withLabels(runLabel).withStartupTimeout(300_000).start().then(keep),
      new GenericContainer(images.apicurio!)
        .withLabels(runLabel)
        .withNetwork(network)
        .withNetworkAliases('registry')
        .withExposedPorts(8080)
        .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
        .withStartupTimeout(300_000)
        .start()
        .then(keep),
      GenericContainer.fromDockerfile(repoRoot, 'deploy/compose/connect/Dockerfile')
        // The tests' sink reads Avro through Apicurio's converter; Confluent's (for Karapace on
        // Kubernetes) is left out as Compose leaves it out (compose.yaml, kafka-jmx-agent).
        .withBuildArgs({ CONFLUENT_AVRO_CONVERTER: 'false' })
        .withCache(true)
        .build(connectImage, { deleteOnExit: false }),
    ]);
    // All settled first, so that whatever did start is in `started` for stopAll when one failed.
    const [, postgres, redis, registry, connectBuilt] = [
      settledValue(results[0]),
      settledValue(results[1]),
      settledValue(results[2]),
      settledValue(results[3]),
      settledValue(results[4]),
    ];

    const connectPort = await freePort();
    await connectBuilt
      .withLabels(runLabel)
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
      // The image's health check asks port 8083; on the host's network the worker listens on connectPort.
      .withHealthCheck({
        test: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${connectPort}/health`],
        interval: 10_000,
        timeout: 5000,
        startPeriod: 60_000,
        retries: 6,
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Connect started/))
      .withStartupTimeout(300_000)
      .start()
      .then(keep);

    // Every port is published on the host; 127.0.0.1 is also where the host-networked worker finds them.
    return {
      endpoints: {
        KAFKA_SERVICE_URI: `127.0.0.1:${kafkaPort}`,
        SCHEMA_REGISTRY_URI: `http://127.0.0.1:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
        CONNECT_URL: `http://127.0.0.1:${connectPort}`,
        DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${postgres.getPort()}/chippy`,
        REDIS_URL: `redis://127.0.0.1:${redis.getPort()}`,
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
