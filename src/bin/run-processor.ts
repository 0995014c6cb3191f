import { Client as Elasticsearch } from '@elastic/elasticsearch';
import { createKafka } from '../adapters/kafka.ts';
import { createPool } from '../adapters/postgres/pool.ts';
import { dependencyChecks } from '../adapters/readiness.ts';
import { TopicCodec, createRegistry } from '../adapters/registry.ts';
import type { Config } from '../config.ts';
import type { ProcessorDefinition } from '../domain/processor.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { startHealthServer } from '../observability/health-server.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetricsRegistry } from '../observability/metrics.ts';
import { RuntimeMetrics } from '../runtime/metrics.ts';
import { startProcessor } from '../runtime/processor-runtime.ts';

export interface ProcessOptions {
  readonly config: Config;
  readonly dlqTopic: TopicDeclaration;
  readonly retryTopic: TopicDeclaration;
  /** Bound on a graceful stop; past it the process exits non-zero. */
  readonly shutdownTimeoutMs?: number;
  readonly fromBeginning?: boolean;
}

/**
 * Runs one processor as a process: its consumer group member, /metrics, /healthz and /readyz on
 * METRICS_PORT, and a graceful stop on SIGTERM/SIGINT (stop fetching, finish and commit the in-flight
 * batch, leave the group, exit 0) within a bounded time.
 */
export async function runProcessorProcess<V, S>(
  processor: ProcessorDefinition<V, S>,
  options: ProcessOptions,
): Promise<void> {
  const { config } = options;
  const logger = createLogger({ level: config.log.level, name: 'steward' }).child({
    processor: processor.name,
  });
  const registry = createMetricsRegistry({ processor: processor.name });
  const pool = createPool(config.postgres, config.postgres.poolMax, (error) =>
    logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
  );
  const elasticsearch = new Elasticsearch({ node: config.elasticsearch.url });
  const kafka = createKafka(config.kafka, logger, `${config.kafka.clientId}-${processor.name}`);
  const dependencies = dependencyChecks(config);
  const health = await startHealthServer({
    host: config.api.host,
    port: config.metrics.port,
    registry,
    checks: dependencies.checks,
    logger,
  });
  const running = await startProcessor({
    processor,
    kafka,
    codec: new TopicCodec(createRegistry(config.schemaRegistry)),
    pool,
    elasticsearch,
    logger,
    metrics: new RuntimeMetrics(registry),
    dlqTopic: options.dlqTopic,
    retryTopic: options.retryTopic,
    consumer: {
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      partitionsConsumedConcurrently: 4,
      maxBytesPerPartition: 256 * 1024,
      fromBeginning: options.fromBeginning ?? true,
    },
    retry: { initialMs: 200, maxMs: 5000, attemptsBeforePause: 5, pauseMs: 10_000 },
    outboxSweepAfterMs: 10_000,
  });
  logger.info({ metricsPort: health.port }, 'ready');

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    logger.info({ signal }, 'stopping');
    const timeout = setTimeout(() => {
      logger.error({ timeoutMs: options.shutdownTimeoutMs ?? 10_000 }, 'graceful stop timed out');
      process.exit(1);
    }, options.shutdownTimeoutMs ?? 10_000);
    timeout.unref();
    await running.stop();
    await Promise.allSettled([health.close(), dependencies.close(), pool.end(), elasticsearch.close()]);
    clearTimeout(timeout);
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', (s) => void stop(s));
  process.once('SIGINT', (s) => void stop(s));
}
