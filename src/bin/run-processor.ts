import { createKafka } from '../adapters/kafka.ts';
import { openAssetIndex } from '../adapters/elasticsearch/reindex.ts';
import { createElasticsearch } from '../adapters/elasticsearch/client.ts';
import { seedBuiltinPolicies } from '../adapters/postgres/policy-store.ts';
import { createPool } from '../adapters/postgres/pool.ts';
import { dependencyChecks } from '../adapters/readiness.ts';
import { TopicCodec, createRegistry } from '../adapters/registry.ts';
import type { Config } from '../config.ts';
import type { ProcessorDefinition } from '../domain/processor.ts';
import { register, type RegisteredProcessor } from '../domain/registry.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { startHealthServer } from '../observability/health-server.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetricsRegistry } from '../observability/metrics.ts';
import { RuntimeMetrics } from '../runtime/metrics.ts';
import type { RuntimeHooks } from '../runtime/batch-applier.ts';
import { startProcessor, type RunningProcessor } from '../runtime/processor-runtime.ts';
import { startNotifier } from '../notifier/notifier.ts';
import { startTimers, type TimerParts } from '../scheduler/start.ts';
import { startApi, type ApiServerOptions } from './api-server.ts';

export interface ProcessOptions {
  readonly config: Config;
  readonly dlqTopic: TopicDeclaration;
  readonly retryTopic: TopicDeclaration;
  /** The scheduler and/or the sweeps, in this process too (`steward run scheduler|sweeps`, `start`). */
  readonly timers?: TimerParts & { readonly topic: TopicDeclaration; readonly commands: TopicDeclaration };
  /** The query API, in this process too (`steward run api`, `start`); its answers report these groups' freshness. */
  readonly api?: {
    readonly freshnessGroups: readonly string[];
    /** Copies of the topics it publishes to (test suites); the production ones unless set. */
    readonly topics?: ApiServerOptions['topics'];
  };
  /** The notifier, in this process too (`steward run notifier`, `start`). */
  readonly notifier?: { readonly alerts: TopicDeclaration };
  /** Bound on a graceful stop; past it the process exits non-zero. */
  readonly shutdownTimeoutMs?: number;
  readonly fromBeginning?: boolean;
  readonly logger?: Logger;
  /** Test seams (fault-injection fixtures); none in production. */
  readonly hooks?: RuntimeHooks;
}

/**
 * Runs processors in this process — one (`steward run <name>`, the production shape: scale by adding
 * instances) or all of them (`steward start`, for local use) — each a member of its own consumer group,
 * sharing one PostgreSQL pool, one registry client and one /metrics, /healthz and /readyz server on
 * METRICS_PORT. SIGTERM/SIGINT stop them gracefully (stop fetching, finish and commit the in-flight
 * batch, leave the group) and exit 0, within a bounded time.
 */
export async function runProcesses(
  entries: readonly RegisteredProcessor[],
  options: ProcessOptions,
): Promise<void> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.log.level, name: 'steward' });
  const parts = [
    ...entries.map((e) => e.name),
    ...(options.timers?.scheduler ? ['scheduler'] : []),
    ...(options.timers?.sweeps ? ['sweeps'] : []),
    ...(options.notifier ? ['notifier'] : []),
    ...(options.api ? ['api'] : []),
  ];
  const label = parts.length === 1 ? (parts[0] ?? 'steward') : 'steward';
  const registry = createMetricsRegistry({ process: label });
  const metrics = new RuntimeMetrics(registry);
  const pool = createPool(config.postgres, config.postgres.poolMax, (error) =>
    logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
  );
  const elasticsearch = createElasticsearch(config.elasticsearch);
  const codec = new TopicCodec(createRegistry(config.schemaRegistry));
  const dependencies = dependencyChecks(config);
  const health = await startHealthServer({
    host: config.api.host,
    port: config.metrics.port,
    registry,
    checks: dependencies.checks,
    logger,
  });
  // The indexer writes through the asset alias: create the template, first index and alias before any
  // write, or Elasticsearch would auto-create a concrete index under the alias's name.
  if (entries.some((entry) => entry.name === 'indexer') || options.timers?.sweeps) {
    const { alias, filled } = await openAssetIndex(elasticsearch, config.elasticsearch.indexPrefix, pool);
    filled
      ?.then((result) => {
        if (result.written || result.deleted)
          logger.info({ alias, ...result }, 'new asset index filled from PostgreSQL');
      })
      .catch((error: unknown) => {
        logger.error({ err: error, alias }, 'filling the new asset index failed: run `steward reconcile`');
      });
  }
  // compliance evaluates the policies in PostgreSQL: the built-in ones are stored before it starts.
  if (entries.some((entry) => entry.name === 'compliance')) {
    const seeded = await seedBuiltinPolicies(pool);
    if (seeded) logger.info({ seeded }, 'built-in policies stored');
  }
  const running: RunningProcessor[] = [];
  for (const entry of entries) {
    running.push(
      await entry.use((processor) =>
        startProcessor({
          processor,
          kafka: createKafka(config.kafka, logger, `${config.kafka.clientId}-${processor.name}`),
          codec,
          pool,
          elasticsearch,
          logger,
          metrics,
          dlqTopic: options.dlqTopic,
          retryTopic: options.retryTopic,
          consumer: {
            sessionTimeoutMs: config.kafka.sessionTimeoutMs,
            heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
            partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
            maxBytesPerPartition: config.kafka.maxBytesPerPartition,
            fromBeginning: options.fromBeginning ?? true,
          },
          retry: { initialMs: 200, maxMs: 5000, attemptsBeforePause: 5, pauseMs: 10_000 },
          outboxSweepAfterMs: 10_000,
          ...(options.hooks && { hooks: options.hooks }),
        }),
      ),
    );
  }
  if (options.timers) {
    const { topic, commands, ...timerParts } = options.timers;
    running.push(
      await startTimers(timerParts, {
        config,
        logger,
        registry,
        pool,
        elasticsearch,
        codec,
        checks: dependencies.checks,
        timers: topic,
        commands,
        dlq: options.dlqTopic,
      }),
    );
  }
  if (options.notifier) {
    running.push(
      await startNotifier({
        kafka: createKafka(config.kafka, logger, `${config.kafka.clientId}-notifier`),
        codec,
        pool,
        alerts: options.notifier.alerts,
        dlqTopic: options.dlqTopic,
        retryTopic: options.retryTopic,
        delivery: config.notifier,
        signingSecret: config.notifier.signingSecret,
        env: process.env,
        logger,
        registry,
        ...(options.fromBeginning !== undefined && { fromBeginning: options.fromBeginning }),
      }),
    );
    if (!config.notifier.signingSecret)
      logger.warn(
        'NOTIFIER_SIGNING_SECRET is not set: only endpoints with their own secret variable get alerts',
      );
  }
  if (options.api) {
    running.push(
      await startApi({
        config,
        logger,
        registry,
        pool,
        elasticsearch,
        kafka: createKafka(config.kafka, logger, `${config.kafka.clientId}-api`),
        codec,
        checks: dependencies.checks,
        freshnessGroups: options.api.freshnessGroups,
        ...(options.api.topics && { topics: options.api.topics }),
      }),
    );
  }
  logger.info(
    {
      metricsPort: health.port,
      parts,
      metrics: `http://${config.api.host}:${health.port}/metrics`,
    },
    'ready',
  );

  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error({ timeoutMs: shutdownTimeoutMs }, 'graceful stop timed out');
      process.exit(1);
    }, shutdownTimeoutMs).unref();
    await Promise.all(running.map((r) => r.stop()));
    await Promise.allSettled([health.close(), dependencies.close(), pool.end(), elasticsearch.close()]);
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', (s) => void stop(s));
  process.once('SIGINT', (s) => void stop(s));
}

/** One processor given by its definition (tests and fixtures that build their own). */
export function runProcessorProcess<V, S, C>(
  processor: ProcessorDefinition<V, S, C>,
  options: ProcessOptions,
): Promise<void> {
  return runProcesses([register(processor)], options);
}
