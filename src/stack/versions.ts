/**
 * The server versions the local stack runs, and docker-compose.yml pins the same ones
 * (a drift test compares them). Change a version here and in docker-compose.yml together.
 */
export const versions = {
  kafka: '3.9.2',
  scala: '2.13',
  /** Elastic's integration-test distribution: real Elasticsearch, core modules only. */
  elasticsearch: '8.19.2',
  apicurio: '3.3.3',
  /** slf4j binding for Kafka 3.9 broker logs (reload4j is compileOnly in kafka_2.13's POM). */
  slf4jReload4j: '1.7.36',
  mavenDependencyPlugin: '3.11.0',
  /** The system services CI machines run; docker-compose pins the same majors. */
  postgresMajor: '15',
  redisMajor: '7.0',
} as const;
