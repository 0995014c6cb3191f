import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { versions } from '../../src/stack/versions.ts';
import type { Endpoints } from './endpoints.ts';

/**
 * The testcontainers fallback, for machines with a Docker engine and no Java: the same servers and
 * versions as the local stack and docker-compose.yml. Not exercised in this project's CI (no Docker there).
 */
const started: StartedTestContainer[] = [];

export async function dockerAvailable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function startContainers(): Promise<Endpoints> {
  const kafkaPort = 39092;
  const [kafka, elasticsearch, postgres, redis] = await Promise.all([
    new GenericContainer(`apache/kafka:${versions.kafka}`)
      // Advertise the fixed host port so clients outside the container can reach the broker.
      .withExposedPorts({ container: kafkaPort, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${kafkaPort},CONTROLLER://:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
    new GenericContainer(`docker.elastic.co/elasticsearch/elasticsearch:${versions.elasticsearch}`)
      .withExposedPorts(9200)
      .withEnvironment({
        'discovery.type': 'single-node',
        'xpack.security.enabled': 'false',
        'cluster.routing.allocation.disk.threshold_enabled': 'false',
        ES_JAVA_OPTS: '-Xms512m -Xmx512m',
      })
      .withWaitStrategy(Wait.forHttp('/_cluster/health', 9200))
      .start(),
    new GenericContainer(`postgres:${versions.postgresMajor}`)
      .withExposedPorts(5432)
      .withEnvironment({ POSTGRES_PASSWORD: 'steward', POSTGRES_DB: 'steward_test' })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start(),
    new GenericContainer(`redis:${versions.redisMajor}`).withExposedPorts(6379).start(),
  ]);
  started.push(kafka, elasticsearch, postgres, redis);
  const registry = await new GenericContainer(`apicurio/apicurio-registry:${versions.apicurio}`)
    .withExposedPorts(8080)
    .withEnvironment({
      APICURIO_RULES_GLOBAL_COMPATIBILITY: 'BACKWARD',
      APICURIO_CCOMPAT_USE_CANONICAL_HASH: 'true',
    })
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .start();
  started.push(registry);
  const host = (c: StartedTestContainer, port: number): string => `${c.getHost()}:${c.getMappedPort(port)}`;
  return {
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    schemaRegistryUrl: `http://${host(registry, 8080)}/apis/ccompat/v7`,
    elasticsearchUrl: `http://${host(elasticsearch, 9200)}`,
    databaseUrl: `postgres://postgres:steward@${host(postgres, 5432)}/steward_test`,
    redisUrl: `redis://${host(redis, 6379)}`,
  };
}

export async function stopContainers(): Promise<void> {
  await Promise.all(started.splice(0).map((c) => c.stop()));
}
