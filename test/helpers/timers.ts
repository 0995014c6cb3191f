import type { TestContext } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { createPool } from '../../src/adapters/postgres/pool.ts';
import { dependencyChecks } from '../../src/adapters/readiness.ts';
import { TopicCodec } from '../../src/adapters/registry.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { configuredJobs } from '../../src/scheduler/jobs.ts';
import { TimerMetrics } from '../../src/scheduler/metrics.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { startTimers } from '../../src/scheduler/start.ts';
import { createElasticsearch } from '../../src/adapters/elasticsearch/client.ts';
import { commands, dlq, timers } from '../../topics/index.ts';
import type { CatalogPipeline } from './catalog.ts';
import { processEnv, waitFor } from './runtime.ts';
import { deleteSubject, endpoints, registryClient, uniqueName } from './services.ts';

/** A fresh commands topic for the test (metadata-sync started with it receives the sweeps' commands). */
export async function commandsFor(pipeline: CatalogPipeline): Promise<TopicDeclaration> {
  return pipeline.topicLike(commands, 4);
}

export interface RunRecord {
  readonly status: string;
  readonly outcome: Record<string, unknown> | null;
  readonly error: string | null;
  readonly slot: Date;
}

/**
 * The sweeps consumer group, in-process, on a catalog pipeline's PostgreSQL schema and index prefix, with
 * its own timers topic and group. `run(job)` publishes a manual slot through the scheduler's real path
 * and waits until a sweep ran it, returning the run row.
 */
export async function sweepsFor(
  t: TestContext,
  pipeline: CatalogPipeline,
  options: { env?: Record<string, string>; commands?: TopicDeclaration; aheadMs?: number } = {},
): Promise<{ config: Config; registry: Registry; run: (job: string) => Promise<RunRecord> }> {
  const timersTopic: TopicDeclaration = { ...timers, name: await pipeline.kafka.topic(3) };
  const dlqTopic: TopicDeclaration = { ...dlq, name: await pipeline.kafka.topic(1) };
  const commandsTopic = options.commands ?? (await commandsFor(pipeline));
  t.after(async () => {
    for (const topic of [timersTopic, dlqTopic]) await deleteSubject(valueSubject(topic));
  });
  const config = loadConfig({
    ...processEnv(
      `${endpoints().databaseUrl}?options=${encodeURIComponent(`-c search_path=${pipeline.schema}`)}`,
    ),
    ELASTICSEARCH_INDEX_PREFIX: pipeline.prefix,
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const logger = createLogger({ level: config.log.level, name: 'test' });
  const registry = new Registry();
  const pool = createPool(config.postgres, 4);
  const elasticsearch = createElasticsearch(config.elasticsearch);
  const codec = new TopicCodec(registryClient());
  const dependencies = dependencyChecks(config);
  const running = await startTimers(
    { scheduler: false, sweeps: true, group: uniqueName('steward.sweeps') },
    {
      config,
      logger,
      registry,
      pool,
      elasticsearch,
      codec,
      checks: dependencies.checks,
      timers: timersTopic,
      commands: commandsTopic,
      dlq: dlqTopic,
      changes: pipeline.input,
    },
  );
  const kafka = new Kafka({
    clientId: uniqueName('test'),
    brokers: [...endpoints().kafkaBrokers],
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(async () => {
    await running.stop();
    await producer.disconnect();
    await Promise.allSettled([dependencies.close(), pool.end(), elasticsearch.close()]);
  });
  const jobs = configuredJobs(config);
  let clockMs = Date.now() + (options.aheadMs ?? 0);
  const scheduler = new Scheduler({
    pool,
    producer,
    codec,
    topic: timersTopic,
    jobs,
    // Manual slots a second apart, so two runs of one job in a test are two slots; `aheadMs` in the future.
    clock: () => new Date((clockMs = Math.max(Date.now() + (options.aheadMs ?? 0), clockMs + 1000))),
    schedulerId: 'test',
    pollMs: 1000,
    lateToleranceMs: 60_000,
    catchUpLimit: 1,
    logger,
    metrics: new TimerMetrics(new Registry()),
  });
  const run = async (name: string): Promise<RunRecord> => {
    const job = jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job ${name}`);
    const ref = await scheduler.trigger(job);
    if (!ref) throw new Error(`slot of ${name} not taken`);
    const rows = await waitFor(
      async () =>
        (
          await pipeline.pool.query<RunRecord>(
            `SELECT status, outcome, error, slot FROM steward_job_runs WHERE job = $1 AND slot = $2`,
            [ref.job, ref.slot],
          )
        ).rows,
      (found) => found.some((r) => r.status !== 'running'),
      60_000,
      `a run of ${name}`,
    );
    const [row] = rows;
    if (!row) throw new Error('no run row');
    return row;
  };
  return { config, registry, run };
}
