import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { GenericContainer, Network, Wait } from 'testcontainers';
import type { Endpoints } from './endpoints.js';

/**
 * The Docker path: the same kinds of component as the native stack, as containers on one network.
 * The registry and Connect images carry the same Apicurio registry and converter and the Debezium JDBC
 * sink the native stack runs, so connector configs and tests are identical on both paths.
 * (This machine has no Docker engine; this path is for machines that do.)
 */
export async function startContainers(
  log: (line: string) => void,
): Promise<{ endpoints: Endpoints; stop(): Promise<void> }> {
  log('starting containers (testcontainers)…');
  const network = await new Network().start();
  const [kafka, postgres, redis, registry] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0')
      .withKraft()
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .start(),
    new PostgreSqlContainer('postgres:16-alpine')
      .withDatabase('chippy')
      .withUsername('postgres')
      .withPassword('postgres')
      .withNetwork(network)
      .withNetworkAliases('postgres')
      .start(),
    new RedisContainer('redis:7-alpine').start(),
    new GenericContainer('apicurio/apicurio-registry-mem:2.6.13.Final')
      .withNetwork(network)
      .withNetworkAliases('registry')
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
  ]);
  const connect = await new GenericContainer('quay.io/debezium/connect:3.0.0.Final')
    .withNetwork(network)
    .withEnvironment({
      BOOTSTRAP_SERVERS: 'kafka:9092',
      GROUP_ID: 'chippy-connect',
      CONFIG_STORAGE_TOPIC: '_connect-configs',
      OFFSET_STORAGE_TOPIC: '_connect-offsets',
      STATUS_STORAGE_TOPIC: '_connect-status',
      ENABLE_APICURIO_CONVERTERS: 'true',
    })
    .withExposedPorts(8083)
    .withWaitStrategy(Wait.forHttp('/connectors', 8083))
    .start();

  const host = (c: { getHost(): string }) => c.getHost();
  return {
    endpoints: {
      KAFKA_SERVICE_URI: `${host(kafka)}:${kafka.getMappedPort(9093)}`,
      SCHEMA_REGISTRY_URI: `http://${host(registry)}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      CONNECT_URL: `http://${host(connect)}:${connect.getMappedPort(8083)}`,
      DATABASE_URL: postgres.getConnectionUri(),
      REDIS_URL: `redis://${host(redis)}:${redis.getMappedPort(6379)}`,
    },
    async stop() {
      await Promise.all([connect.stop(), kafka.stop(), postgres.stop(), redis.stop(), registry.stop()]);
      await network.stop();
    },
  };
}
