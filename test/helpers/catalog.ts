import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import pg from 'pg';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import {
  aliasName,
  prepareIndexer,
  templateName,
  type AssetDocument,
} from '../../src/adapters/elasticsearch/asset-index.ts';
import { writeDocuments } from '../../src/adapters/elasticsearch/document-sink.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { TopicCodec } from '../../src/adapters/registry.ts';
import { toAvro } from '../../src/contract/avro.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { ProcessorDefinition } from '../../src/domain/processor.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { RuntimeMetrics } from '../../src/runtime/metrics.ts';
import { startProcessor, type RunningProcessor } from '../../src/runtime/processor-runtime.ts';
import { assets, changes, dlq, retry } from '../../topics/index.ts';
import {
  deleteSubject,
  endpoints,
  kafkaFor,
  postgresSchemaFor,
  registryClient,
  uniqueName,
  type KafkaFixture,
} from './services.ts';

/**
 * An Elasticsearch client on a unique index prefix. After the test, every index under the prefix's alias
 * and the prefix's template are deleted, and the client is closed.
 */
export function assetIndexFor(t: TestContext): { client: Client; prefix: string; alias: string } {
  const client = new Client({ node: endpoints().elasticsearchUrl });
  const prefix = uniqueName('test').replaceAll('_', '-');
  t.after(async () => {
    const indices = await client.indices.get({ index: `${aliasName(prefix)}-*`, allow_no_indices: true });
    const names = Object.keys(indices);
    if (names.length) await client.indices.delete({ index: names });
    await client.indices.deleteIndexTemplate({ name: templateName(prefix) }, { ignore: [404] });
    await client.close();
  });
  return { client, prefix, alias: aliasName(prefix) };
}

/** Writes the documents through the alias at their revisions, then refreshes: all searchable. */
export async function indexAll(client: Client, alias: string, docs: readonly AssetDocument[]): Promise<void> {
  const writes = docs.map((document) => ({
    index: alias,
    id: document.urn,
    version: document.revision,
    document,
  }));
  assert.deepEqual(await writeDocuments(client, writes), []);
  await client.indices.refresh({ index: alias });
}

export interface CatalogPipeline {
  readonly kafka: KafkaFixture;
  /** The test's own pool on its schema (from postgresSchemaFor); the processors use a separate one. */
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly client: Client;
  readonly prefix: string;
  readonly alias: string;
  /** What prepareIndexer returned. */
  readonly prepared: { alias: string; created: boolean };
  readonly input: TopicDeclaration;
  readonly output: TopicDeclaration;
  readonly dlqTopic: TopicDeclaration;
  readonly retryTopic: TopicDeclaration;
  readonly codec: TopicCodec;
  /** A copy of a declared topic under a unique name (its registry subject deleted after the test). */
  readonly topicLike: (base: TopicDeclaration, partitions?: number) => Promise<TopicDeclaration>;
  /** Starts a processor in-process on this pipeline's Kafka, PostgreSQL, Elasticsearch, DLQ and retry topic. */
  readonly start: <V, S, C>(
    processor: ProcessorDefinition<V, S, C>,
    options?: { readonly freshnessIntervalMs?: number },
  ) => Promise<RunningProcessor>;
  /** Stops every started processor, then ends the processors' pool. Idempotent; also runs after the test. */
  readonly stop: () => Promise<void>;
  /** Publishes change events to `input`, Avro-encoded and keyed by URN, in one send. */
  readonly produce: (events: readonly ChangeEvent[]) => Promise<void>;
  /** How many events metadata-sync has applied (its ledger rows). */
  readonly ledgerCount: () => Promise<number>;
}

/**
 * The catalog pipeline's services for one test, all real (Kafka, the schema registry, PostgreSQL and
 * Elasticsearch; nothing is mocked), and all unique to the test: a migrated PostgreSQL schema, an index
 * prefix prepared for the indexer, and fresh `changes`, `assets`, DLQ and retry topics (`partitions` each,
 * the DLQ one). Everything is cleaned up after the test: processors stopped, registry subjects, topics,
 * schema, indices and template deleted, clients closed. Processors are started with `start`.
 */
export async function catalogPipeline(
  t: TestContext,
  options: { partitions?: number; logLevel?: string; logDestination?: DestinationStream } = {},
): Promise<CatalogPipeline> {
  const { partitions = 4, logLevel = 'warn', logDestination } = options;
  const kafka = kafkaFor(t);
  const { pool, schema } = await postgresSchemaFor(t);
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  const { client, prefix, alias } = assetIndexFor(t);
  const prepared = await prepareIndexer(client, prefix);
  const named = async (base: TopicDeclaration, count: number): Promise<TopicDeclaration> => ({
    ...base,
    name: await kafka.topic(count),
  });
  const input = await named(changes, partitions);
  const output = await named(assets, partitions);
  const dlqTopic = await named(dlq, 1);
  const retryTopic = await named(retry, partitions);
  t.after(async () => {
    for (const topic of [input, output, dlqTopic]) await deleteSubject(valueSubject(topic));
  });
  const topicLike = async (base: TopicDeclaration, count = 2): Promise<TopicDeclaration> => {
    const topic = await named(base, count);
    t.after(() => deleteSubject(valueSubject(topic)));
    return topic;
  };
  const processorPool = new pg.Pool({
    connectionString: `${endpoints().databaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    max: 6,
  });
  const codec = new TopicCodec(registryClient());
  const running: RunningProcessor[] = [];
  const start = async <V, S, C>(
    processor: ProcessorDefinition<V, S, C>,
    options: { readonly freshnessIntervalMs?: number } = {},
  ): Promise<RunningProcessor> => {
    const started = await startProcessor({
      processor,
      kafka: kafka.kafka,
      codec,
      pool: processorPool,
      elasticsearch: client,
      logger: createLogger({ level: logLevel, name: 'test' }, logDestination),
      metrics: new RuntimeMetrics(new Registry()),
      dlqTopic,
      retryTopic,
      consumer: {
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 500,
        partitionsConsumedConcurrently: 4,
        maxBytesPerPartition: 256 * 1024,
        fromBeginning: true,
      },
      retry: { initialMs: 200, maxMs: 2000, attemptsBeforePause: 5, pauseMs: 2000 },
      outboxSweepAfterMs: 10_000,
      ...options,
    });
    running.push(started);
    return started;
  };
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopped ??= Promise.all(running.map((r) => r.stop()))
      .then(() => undefined)
      .finally(() => processorPool.end());
    await stopped;
  };
  t.after(stop);
  const producer = kafka.producer({ idempotent: true });
  const produce = async (events: readonly ChangeEvent[]): Promise<void> => {
    const messages = await Promise.all(
      events.map(async (e) => ({ key: e.asset.urn, value: await codec.encode(input, toAvro(e)) })),
    );
    await (await producer).send({ topic: input.name, messages });
  };
  const ledgerCount = async (): Promise<number> => {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM steward_applied_events WHERE processor = 'metadata-sync'`,
    );
    return Number(rows[0]?.n);
  };
  return {
    kafka,
    pool,
    schema,
    client,
    prefix,
    alias,
    prepared,
    input,
    output,
    dlqTopic,
    retryTopic,
    codec,
    topicLike,
    start,
    stop,
    produce,
    ledgerCount,
  };
}
