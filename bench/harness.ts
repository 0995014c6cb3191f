/**
 * What the pipeline benchmarks (bench/catalog.ts, bench/api.ts) share: the services of one run, topics
 * created for it and removed after it, processors started with the production consumer settings, and
 * their event counts.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createKafka } from '../src/adapters/kafka.ts';
import { createElasticsearch } from '../src/adapters/elasticsearch/client.ts';
import { migrate } from '../src/adapters/postgres/migrate.ts';
import { createPool, type Pool } from '../src/adapters/postgres/pool.ts';
import { TopicCodec, createRegistry } from '../src/adapters/registry.ts';
import { createTopicsAndWait, creationOf } from '../src/adapters/topics-admin.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { ProcessorDefinition } from '../src/domain/processor.ts';
import { valueSubject, type TopicDeclaration } from '../src/domain/topic.ts';
import { createLogger, type Logger } from '../src/observability/logger.ts';
import type { RuntimeMetrics } from '../src/runtime/metrics.ts';
import { startProcessor, type RunningProcessor } from '../src/runtime/processor-runtime.ts';
import { Cleanup, deleteSubject, withSearchPath } from './common.ts';

export interface Bench {
  readonly config: Config;
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly es: Client;
  readonly codec: TopicCodec;
  readonly pool: Pool;
  readonly cleanup: Cleanup;
  readonly signal: AbortSignal;
  readonly id: string;
}

/** Creates the topics (replication capped at the broker count); deletes them and their subjects at the end. */
export async function createTopics(bench: Bench, topics: readonly TopicDeclaration[]): Promise<void> {
  bench.cleanup.defer('delete the registry subjects', async () => {
    for (const topic of topics) await deleteSubject(bench.config, valueSubject(topic));
  });
  bench.cleanup.defer('delete the topics', async () => {
    const existing = new Set(await bench.admin.listTopics());
    const names = topics.map((t) => t.name).filter((name) => existing.has(name));
    if (names.length) await bench.admin.deleteTopics({ topics: names });
  });
  const brokers = (await bench.admin.describeCluster()).brokers.length;
  await createTopicsAndWait(
    bench.admin,
    topics.map((topic) => creationOf(topic, brokers)),
  );
}

/** Input records a processor counted with `outcome` (processed, duplicate, dead, ignored). */
export async function eventsCounted(registry: Registry, outcome: string): Promise<number> {
  const metric = registry.getSingleMetric('steward_events_total');
  let sum = 0;
  for (const { labels, value } of metric ? (await metric.get()).values : [])
    if (labels['outcome'] === outcome) sum += value;
  return sum;
}

/** A processor in this process with the consumer settings of src/bin/run-processor.ts. */
export function startBenchProcessor<V, S, C>(
  bench: Bench,
  processor: ProcessorDefinition<V, S, C>,
  options: {
    readonly metrics: RuntimeMetrics;
    readonly dlqTopic: TopicDeclaration;
    readonly retryTopic: TopicDeclaration;
    readonly kafka?: Kafka;
  },
): Promise<RunningProcessor> {
  return startProcessor({
    processor,
    kafka: options.kafka ?? createKafka(bench.config.kafka, bench.logger, `${processor.group}.client`),
    codec: bench.codec,
    pool: bench.pool,
    elasticsearch: bench.es,
    logger: bench.logger,
    metrics: options.metrics,
    dlqTopic: options.dlqTopic,
    retryTopic: options.retryTopic,
    consumer: {
      sessionTimeoutMs: bench.config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: bench.config.kafka.heartbeatIntervalMs,
      partitionsConsumedConcurrently: bench.config.kafka.partitionsConsumedConcurrently,
      maxBytesPerPartition: bench.config.kafka.maxBytesPerPartition,
      fromBeginning: true,
    },
    retry: { initialMs: 200, maxMs: 5000, attemptsBeforePause: 5, pauseMs: 10_000 },
    outboxSweepAfterMs: 10_000,
  });
}

/**
 * Connects what a pipeline bench uses (Kafka admin, Elasticsearch, a pool on a fresh, migrated PostgreSQL
 * schema `schema`) and registers their release (and the schema's drop) with `cleanup`.
 */
export async function openBench(run: {
  readonly config: Config;
  readonly logger: Logger;
  readonly cleanup: Cleanup;
  readonly signal: AbortSignal;
  readonly id: string;
  readonly schema: string;
}): Promise<Bench & { readonly schema: string }> {
  const { config, logger, cleanup, id, schema } = run;
  const kafka = createKafka(config.kafka, logger, `${config.kafka.clientId}-bench-${id}`);
  const admin = kafka.admin();
  cleanup.defer('disconnect the admin client', () => admin.disconnect());
  await admin.connect();
  const es = createElasticsearch(config.elasticsearch);
  cleanup.defer('close the Elasticsearch client', () => es.close());
  const pool = createPool({ ...config.postgres, url: withSearchPath(config.postgres.url, schema) });
  cleanup.defer('close the PostgreSQL pool', () => pool.end());
  cleanup.defer(`drop schema ${schema}`, () => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  await migrate({ databaseUrl: config.postgres.url, schema });
  const codec = new TopicCodec(createRegistry(config.schemaRegistry));
  return { config, logger, kafka, admin, es, codec, pool, cleanup, signal: run.signal, id, schema };
}

/**
 * Runs `body` on a bench opened on a fresh schema `bench_<name>_<id>` (logs at warn unless LOG_LEVEL is
 * set; SIGINT aborts `bench.signal`), and releases everything it registered afterwards, whatever happens.
 */
export async function withBench<T>(
  name: string,
  body: (bench: Bench & { readonly schema: string }) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('interrupted')));
  const config = loadConfig();
  const logger = createLogger(
    { level: process.env['LOG_LEVEL'] ? config.log.level : 'warn', name: 'steward-bench' },
    process.stderr,
  );
  const id = randomBytes(4).toString('hex');
  const cleanup = new Cleanup(logger);
  try {
    return await body(
      await openBench({ config, logger, cleanup, signal: abort.signal, id, schema: `bench_${name}_${id}` }),
    );
  } finally {
    await cleanup.run();
  }
}
