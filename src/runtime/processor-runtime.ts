import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client as Elasticsearch } from '@elastic/elasticsearch';
import { DeadLetterSink } from '../adapters/dead-letter-sink.ts';
import { OutboxRelay } from '../adapters/outbox-relay.ts';
import type { Pool } from '../adapters/postgres/pool.ts';
import { poolReader } from '../adapters/postgres/reader.ts';
import { PostgresStateStore } from '../adapters/postgres/state-store.ts';
import type { TopicCodec } from '../adapters/registry.ts';
import type { ProcessorDefinition } from '../domain/processor.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { isRetriable } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { backoffMs } from './backoff.ts';
import { createBatchApplier, type RuntimeHooks } from './batch-applier.ts';
import { startHousekeeping } from './housekeeping.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { startFreshness } from './freshness.ts';
import { headerNames, toRaw } from './records.ts';

export interface RuntimeOptions<V, S, C = unknown> {
  readonly processor: ProcessorDefinition<V, S, C>;
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  readonly pool: Pool;
  readonly elasticsearch?: Elasticsearch;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly dlqTopic: TopicDeclaration;
  readonly retryTopic: TopicDeclaration;
  readonly consumer: {
    readonly sessionTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
    readonly partitionsConsumedConcurrently: number;
    readonly maxBytesPerPartition: number;
    readonly fromBeginning: boolean;
  };
  readonly retry: {
    readonly initialMs: number;
    readonly maxMs: number;
    readonly attemptsBeforePause: number;
    readonly pauseMs: number;
  };
  /** How old an unpublished outbox row must be before the sweep publishes it (its publisher died). */
  readonly outboxSweepAfterMs: number;
  /** How often expired ledger, outbox and dead-letter payload rows are pruned (default 10 min). */
  readonly housekeepingIntervalMs?: number;
  /** How often the group's freshness per input partition is checked and written (default 2 s). */
  readonly freshnessIntervalMs?: number;
  readonly hooks?: RuntimeHooks;
}

export interface RunningProcessor {
  /** Stops fetching, lets the in-flight batch finish and commit, leaves the group. */
  stop(): Promise<void>;
}

/** When a record's input happened: the source record's time on a derived record, else its own. */
function eventTime(message: KafkaMessage): number {
  const header = message.headers?.[headerNames.sourceTimestamp];
  const source = Number((Array.isArray(header) ? header[0] : header)?.toString());
  return Number.isFinite(source) && source > 0 ? source : Number(message.timestamp);
}

/**
 * The one Kafka loop. Per partition batch: decode (registry + contract), load state in bulk, fold events
 * through the pure handle, then apply — dead letters, one PostgreSQL transaction (ledger, state, rows,
 * outbox), documents, outbox publication — and only then resolve and commit offsets. Transient failures
 * back off with jitter and, after a few attempts, pause the partition; permanent ones are dead-lettered,
 * isolating the failing record when a whole batch cannot be applied. Handlers never throw to kafkajs.
 */
export async function startProcessor<V, S, C>(options: RuntimeOptions<V, S, C>): Promise<RunningProcessor> {
  const { processor, metrics } = options;
  const log = options.logger.child({ processor: processor.name, group: processor.group });
  const store =
    processor.idempotency === 'ledger'
      ? new PostgresStateStore<S>(options.pool, processor.name, processor.tables)
      : undefined;
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer: Consumer = options.kafka.consumer({
    groupId: processor.group,
    sessionTimeout: options.consumer.sessionTimeoutMs,
    heartbeatInterval: options.consumer.heartbeatIntervalMs,
    maxBytesPerPartition: options.consumer.maxBytesPerPartition,
    retry: { retries: 10 },
  });
  const deadLetters = new DeadLetterSink({
    producer,
    codec: options.codec,
    pool: options.pool,
    topic: options.dlqTopic,
    group: processor.group,
    processor: processor.name,
  });
  const relay = new OutboxRelay(options.pool, producer, options.codec, processor.produces);
  const labels = { processor: processor.name };
  const admin = options.kafka.admin();
  const consumed = new Set(processor.consumes.map((t) => t.name));
  const freshness = startFreshness({
    processor: processor.name,
    group: processor.group,
    topics: [...consumed],
    admin,
    pool: options.pool,
    metrics,
    log,
    intervalMs: options.freshnessIntervalMs ?? 2000,
  });
  const { processRecords } = createBatchApplier({
    processor,
    store,
    reader: poolReader(options.pool),
    producer,
    codec: options.codec,
    deadLetters,
    relay,
    elasticsearch: options.elasticsearch,
    retryTopic: options.retryTopic,
    metrics,
    log,
    ...(options.hooks && { hooks: options.hooks }),
  });

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!batch.messages.length) return;
    const began = performance.now();
    const records = batch.messages.map((m) => toRaw(batch.topic, batch.partition, m));
    const published = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      // A batch already handed over is finished and committed even when a stop began meanwhile (kafkajs
      // fetches nothing more): a redelivered batch of already-applied records then commits their offsets
      // instead of leaving them to the next instance. Only retries give up on a stop.
      if (payload.isStale() || (attempt > 1 && !payload.isRunning())) return;
      try {
        await processRecords(records, published);
        break;
      } catch (error) {
        metrics.retries.inc(labels);
        const context = { err: error, topic: batch.topic, partition: batch.partition, attempt };
        if (!isRetriable(error)) {
          // A bug in the runtime itself: stop rather than skip records.
          log.fatal(context, 'unexpected runtime error');
          throw error;
        }
        if (attempt >= options.retry.attemptsBeforePause) {
          log.warn(
            { ...context, pauseMs: options.retry.pauseMs },
            'dependency unavailable; pausing partition',
          );
          metrics.paused.inc(labels);
          const resume = payload.pause();
          setTimeout(() => {
            metrics.paused.dec(labels);
            resume();
          }, options.retry.pauseMs).unref();
          return; // unresolved offsets are fetched again after the resume
        }
        log.warn(context, 'transient failure; retrying batch');
        await sleep(backoffMs(attempt, options.retry.initialMs, options.retry.maxMs));
        await payload.heartbeat();
      }
    }
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      if (consumed.has(batch.topic)) freshness.applied.observe(batch.topic, batch.partition, eventTime(last));
      payload.resolveOffset(last.offset);
      // Commit now, not on kafkajs's timer: a stop or a rebalance right after this batch must not hand its
      // records to another member (the ledger would absorb them, but the work and the DLQ entries repeat).
      const offset = String(BigInt(last.offset) + 1n);
      await payload
        .commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
        })
        .catch((error: unknown) =>
          log.warn(
            { err: error, topic: batch.topic, partition: batch.partition },
            'offset commit failed; records will be redelivered',
          ),
        );
    }
    await payload.heartbeat().catch(() => undefined);
    metrics.batchSeconds.observe(labels, (performance.now() - began) / 1000);
    const lag = Number(batch.highWatermark) - Number(last?.offset ?? batch.highWatermark) - 1;
    metrics.lag.set({ ...labels, topic: batch.topic, partition: String(batch.partition) }, Math.max(0, lag));
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = Object.values(payload.memberAssignment).flat();
    log.info(
      { memberId: payload.memberId, assignment: payload.memberAssignment, partitions },
      'partitions assigned',
    );
  });
  await producer.connect();
  await admin.connect();
  await consumer.connect();
  for (const topic of [...processor.consumes, options.retryTopic]) {
    await consumer.subscribe({ topic: topic.name, fromBeginning: options.consumer.fromBeginning });
  }
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: true,
    autoCommitInterval: 1000,
    partitionsConsumedConcurrently: options.consumer.partitionsConsumedConcurrently,
    eachBatch,
  });
  const housekeeping = startHousekeeping({
    processor: processor.name,
    consumes: processor.consumes,
    dlqTopic: options.dlqTopic,
    pool: options.pool,
    store,
    relay,
    log,
    outboxSweepAfterMs: options.outboxSweepAfterMs,
    intervalMs: options.housekeepingIntervalMs ?? 600_000,
  });
  log.info({ consumes: processor.consumes.map((t) => t.name) }, 'processor started');

  return {
    async stop() {
      housekeeping.stop();
      await consumer.disconnect();
      await freshness.stop();
      await Promise.all([producer.disconnect(), admin.disconnect()]);
      log.info('processor stopped');
    },
  };
}
