import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from '@elastic/elasticsearch';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { aliasName } from '../adapters/elasticsearch/asset-index.ts';
import { createKafka } from '../adapters/kafka.ts';
import type { TopicCodec } from '../adapters/registry.ts';
import type { Config } from '../config.ts';
import { clockOf } from '../domain/clock.ts';
import type { JobDeclaration } from '../domain/schedule.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import type { Check } from '../observability/health-server.ts';
import type { Logger } from '../observability/logger.ts';
import { configuredJobs } from './jobs.ts';
import { TimerMetrics } from './metrics.ts';
import { Scheduler } from './scheduler.ts';
import { startSweeps, type Sweep } from './sweep-runner.ts';
import { complianceRescanSweep } from './sweeps/compliance-rescan.ts';
import { healthSnapshotSweep } from './sweeps/health-snapshot.ts';
import { indexReconcileSweep } from './sweeps/index-reconcile.ts';
import { kpiAggregateSweep } from './sweeps/kpi-aggregate.ts';
import { metadataResyncSweep } from './sweeps/metadata-resync.ts';
import { qualitySweep } from './sweeps/quality-sweep.ts';
import { violationMonitorSweep } from './sweeps/violation-monitor.ts';
import { sourceScanSweep } from './sweeps/source-scan.ts';
import { ChangePublisher } from '../producer/publish.ts';
import { ScanMetrics } from '../scanner/metrics.ts';
import { loadSources } from '../scanner/sources.ts';
import type { Kafka } from 'kafkajs';

export interface TimerParts {
  /** Publish ticks for due slots (any number of instances). */
  readonly scheduler: boolean;
  /** Consume ticks and run the sweeps (a consumer group: scale by instances). */
  readonly sweeps: boolean;
  /** The sweeps' consumer group (default steward.sweeps; tests use their own). */
  readonly group?: string;
}

export interface TimerDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly pool: pg.Pool;
  readonly elasticsearch: Client;
  readonly codec: TopicCodec;
  readonly checks: Readonly<Record<string, Check>>;
  readonly timers: TopicDeclaration;
  readonly commands: TopicDeclaration;
  readonly dlq: TopicDeclaration;
  /** Where the scan sweeps publish (the changes topic unless a test passes a copy). */
  readonly changes?: TopicDeclaration;
}

/** `<host>-<pid>-<random>`: names this instance in slot and run rows and in ticks. */
export const instanceId = (): string => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** Every sweep, bound to this process's clients. */
function sweepsFor(
  deps: TimerDependencies,
  jobs: readonly JobDeclaration[],
  producer: Producer,
  admin: () => Promise<Admin>,
  publisher: () => Promise<ChangePublisher>,
): Sweep[] {
  const { pool, elasticsearch, registry, config, checks, codec, commands } = deps;
  const job = (name: string): JobDeclaration => {
    const found = jobs.find((j) => j.name === name);
    if (!found) throw new Error(`no job ${name}`);
    return found;
  };
  return [
    metadataResyncSweep({ pool, producer, codec, commands, job: job('metadata-resync') }),
    indexReconcileSweep({
      pool,
      client: elasticsearch,
      alias: aliasName(config.elasticsearch.indexPrefix),
      registry,
    }),
    kpiAggregateSweep({ pool }),
    complianceRescanSweep({ pool, producer, codec, commands, job: 'compliance-rescan' }),
    violationMonitorSweep({ pool, producer, codec, commands, job: 'violation-monitor' }),
    qualitySweep({ pool, producer, codec, commands, job: 'quality-sweep' }),
    healthSnapshotSweep({ pool, admin, checks, registry }),
    ...scanSweeps(deps, publisher),
  ];
}

/** A sweep per scheduled source (`scan-<source>`). */
function scanSweeps(deps: TimerDependencies, publisher: () => Promise<ChangePublisher>): Sweep[] {
  const sources = loadSources(deps.config.scan.sourcesFile).filter((s) => s.schedule);
  if (!sources.length) return [];
  const metrics = new ScanMetrics(deps.registry);
  return sources.map((source) => sourceScanSweep({ source, pool: deps.pool, sink: publisher, metrics }));
}

/** The change publisher the scan sweeps share, connected on first use. */
function lazyPublisher(
  kafka: Kafka,
  deps: TimerDependencies,
): { get: () => Promise<ChangePublisher>; close: () => Promise<void> } {
  let connected: Promise<ChangePublisher> | undefined;
  return {
    get() {
      connected ??= (async () => {
        const publisher = new ChangePublisher({
          kafka,
          codec: deps.codec,
          logger: deps.logger,
          ...(deps.changes && { topic: deps.changes }),
        });
        await publisher.connect();
        return publisher;
      })();
      connected.catch(() => (connected = undefined));
      return connected;
    },
    async close() {
      await connected?.then((p) => p.disconnect()).catch(() => undefined);
    },
  };
}

/** Starts the scheduler and/or the sweeps in this process; `stop` ends both gracefully. */
export async function startTimers(
  parts: TimerParts,
  deps: TimerDependencies,
): Promise<{ stop(): Promise<void> }> {
  const { config, logger, pool, codec } = deps;
  const jobs = configuredJobs(config);
  const metrics = new TimerMetrics(deps.registry);
  const id = instanceId();
  const kafka = createKafka(config.kafka, logger, `${config.kafka.clientId}-timers`);
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let admin: Promise<Admin> | undefined;
  const connectAdmin = (): Promise<Admin> => {
    admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })();
    admin.catch(() => (admin = undefined));
    return admin;
  };
  const publisher = lazyPublisher(kafka, deps);
  const stops: (() => Promise<void>)[] = [];
  if (parts.sweeps) {
    const running = await startSweeps({
      kafka,
      producer,
      codec,
      pool,
      timers: deps.timers,
      dlq: deps.dlq,
      jobs,
      sweeps: sweepsFor(deps, jobs, producer, connectAdmin, publisher.get),
      runnerId: id,
      ...(parts.group && { group: parts.group }),
      leaseMs: config.sweeps.leaseMs,
      logger,
      metrics,
      consumer: {
        sessionTimeoutMs: config.kafka.sessionTimeoutMs,
        heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      },
    });
    stops.push(() => running.stop());
  }
  if (parts.scheduler) {
    const scheduler = new Scheduler({
      pool,
      producer,
      codec,
      topic: deps.timers,
      jobs,
      clock: clockOf(config.scheduler.clock),
      schedulerId: id,
      pollMs: config.scheduler.pollMs,
      lateToleranceMs: config.scheduler.lateToleranceMs,
      catchUpLimit: config.scheduler.catchUpLimit,
      logger: logger.child({ component: 'scheduler', schedulerId: id }),
      metrics,
    });
    scheduler.start();
    stops.unshift(() => scheduler.stop());
    logger.info(
      {
        schedulerId: id,
        clock: config.scheduler.clock.kind,
        jobs: jobs.filter((j) => j.enabled).map((j) => j.name),
      },
      'scheduler started',
    );
  }
  return {
    async stop() {
      for (const stop of stops) await stop();
      await publisher.close();
      await producer.disconnect();
      await admin?.then((a) => a.disconnect()).catch(() => undefined);
    },
  };
}
