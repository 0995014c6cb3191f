import { createRegistry } from '../../src/adapters/registry.ts';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Client as Elasticsearch } from '@elastic/elasticsearch';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Redis } from 'ioredis';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type ConsumerConfig,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import pg from 'pg';
import { createTopicsAndWait } from '../../src/adapters/topics-admin.ts';
import { testVariables, type Endpoints } from './endpoints.ts';

/**
 * Factories for integration tests. Each gives a real client on the endpoints the global setup resolved
 * and a unique name, and registers its own cleanup with t.after, so tests never share state.
 */
export function endpoints(): Endpoints {
  const get = (variable: string): string => {
    const value = process.env[variable];
    if (!value)
      throw new Error(`${variable} is not set: run integration tests with npm run test:integration`);
    return value;
  };
  return {
    kafkaBrokers: get(testVariables.kafkaBrokers).split(','),
    schemaRegistryUrl: get(testVariables.schemaRegistryUrl),
    elasticsearchUrl: get(testVariables.elasticsearchUrl),
    databaseUrl: get(testVariables.databaseUrl),
    redisUrl: get(testVariables.redisUrl),
  };
}

/** Lowercase, starts with a letter, safe as a topic, index, schema or key name. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export interface KafkaFixture {
  readonly kafka: Kafka;
  /** A fresh topic. */
  /** A new topic, deleted after the test; `config` as topic-level settings (e.g. max.message.bytes). */
  topic(partitions?: number, config?: Readonly<Record<string, string>>): Promise<string>;
  producer(config?: ProducerConfig): Promise<Producer>;
  /** A consumer in a fresh group, with short timeouts for tests. */
  consumer(config?: Partial<ConsumerConfig>): Promise<Consumer>;
}

/**
 * Kafka clients and topics for one test. One hook cleans up in a fixed order: clients disconnect before
 * their topics are deleted, so no consumer fetches from a deleted partition.
 */
export function kafkaFor(t: TestContext): KafkaFixture {
  const kafka = new Kafka({
    clientId: uniqueName('test'),
    brokers: [...endpoints().kafkaBrokers],
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  const clients: { disconnect(): Promise<void> }[] = [];
  const topics: string[] = [];
  let adminConnected: Promise<void> | undefined;
  t.after(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    if (adminConnected) {
      if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
    }
  });
  return {
    kafka,
    async topic(partitions = 1, config = {}) {
      adminConnected ??= admin.connect();
      await adminConnected;
      const topic = uniqueName('test.topic');
      topics.push(topic);
      const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
      await createTopicsAndWait(admin, [{ topic, numPartitions: partitions, configEntries }]);
      return topic;
    },
    async producer(config) {
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
      clients.push(producer);
      await producer.connect();
      return producer;
    },
    async consumer(config) {
      const consumer = kafka.consumer({
        groupId: uniqueName('test-group'),
        sessionTimeout: 6000,
        heartbeatInterval: 500,
        ...config,
      });
      clients.push(consumer);
      await consumer.connect();
      return consumer;
    },
  };
}

/** A registry client configured as Steward's (JSON Schema topics validated with the standard formats). */
export function registryClient(): SchemaRegistry {
  return createRegistry({ url: endpoints().schemaRegistryUrl });
}

/** Deletes a subject and its versions for good (soft delete first, as the Confluent API requires). */
export async function deleteSubject(subject: string): Promise<void> {
  const base = `${endpoints().schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}`;
  await fetch(base, { method: 'DELETE' });
  await fetch(`${base}?permanent=true`, { method: 'DELETE' });
}

/**
 * A client plus a factory of fresh index names; after the test, every index it named is deleted and then
 * the client closes (one hook, so the order is fixed).
 */
export function elasticsearchFor(t: TestContext): { client: Elasticsearch; newIndex: () => string } {
  const client = new Elasticsearch({ node: endpoints().elasticsearchUrl });
  const indices: string[] = [];
  t.after(async () => {
    if (indices.length) await client.indices.delete({ index: indices, ignore_unavailable: true });
    await client.close();
  });
  return {
    client,
    newIndex: () => {
      const index = uniqueName('test-index').replaceAll('_', '-');
      indices.push(index);
      return index;
    },
  };
}

/** A pool whose connections use a fresh schema, dropped after the test. */
export async function postgresSchemaFor(t: TestContext): Promise<{ pool: pg.Pool; schema: string }> {
  const schema = uniqueName('test_schema');
  const admin = new pg.Client({ connectionString: endpoints().databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${admin.escapeIdentifier(schema)}`);
  const pool = new pg.Pool({
    connectionString: endpoints().databaseUrl,
    options: `-c search_path=${schema}`,
    max: 4,
  });
  t.after(async () => {
    await pool.end();
    await admin.query(`DROP SCHEMA ${admin.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  });
  return { pool, schema };
}

/** A client and a key prefix; every key under the prefix is deleted after the test. */
export function redisFor(t: TestContext): { redis: Redis; prefix: string } {
  const redis = new Redis(endpoints().redisUrl, { maxRetriesPerRequest: 1 });
  const prefix = `${uniqueName('test')}:`;
  t.after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  return { redis, prefix };
}
