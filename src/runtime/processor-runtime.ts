import { setTimeout as sleep } from 'node:timers/promises';
import type { Client as Elasticsearch } from '@elastic/elasticsearch';
import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { DeadLetterSink } from '../adapters/dead-letter-sink.ts';
import { writeDocuments } from '../adapters/elasticsearch/document-sink.ts';
import { OutboxRelay } from '../adapters/outbox-relay.ts';
import type { Pool } from '../adapters/postgres/pool.ts';
import { PostgresStateStore, type OutboxRow } from '../adapters/postgres/state-store.ts';
import type { TopicCodec } from '../adapters/registry.ts';
import type { InputEvent, ProcessorDefinition } from '../domain/processor.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { errorCodeOf, isRetriable } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { backoffMs } from './backoff.ts';
import { decodeRecord, type Decoded } from './decode.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { planBatch, type PlannedEmit } from './plan.ts';
import { headerNames, type DeadRecord, type RawRecord } from './records.ts';

export interface RuntimeOptions<V, S> {
  readonly processor: ProcessorDefinition<V, S>;
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
}

export interface RunningProcessor {
  /** Stops fetching, lets the in-flight batch finish and commit, leaves the group. */
  stop(): Promise<void>;
}

function toRaw(topic: string, partition: number, message: KafkaMessage): RawRecord {
  const headers: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    headers[name] = first === undefined ? undefined : Buffer.isBuffer(first) ? first : Buffer.from(first);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers,
    timestamp: message.timestamp,
  };
}

function sourceHeaders(emit: PlannedEmit): Record<string, string> {
  return {
    [headerNames.sourceTimestamp]: String(emit.source.timestamp),
    [headerNames.sourceTopic]: emit.source.topic,
    [headerNames.sourcePartition]: String(emit.source.partition),
    [headerNames.sourceOffset]: emit.source.offset,
  };
}

/**
 * The one Kafka loop. Per partition batch: decode (registry + contract), load state in bulk, fold events
 * through the pure handle, then apply — dead letters, one PostgreSQL transaction (ledger, state, rows,
 * outbox), documents, outbox publication — and only then resolve and commit offsets. Transient failures
 * back off with jitter and, after a few attempts, pause the partition; permanent ones are dead-lettered,
 * isolating the failing record when a whole batch cannot be applied. Handlers never throw to kafkajs.
 */
export async function startProcessor<V, S>(options: RuntimeOptions<V, S>): Promise<RunningProcessor> {
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

  /**
   * Publishes dead letters once per record: a batch retried after a transient failure does not dead-letter
   * again what its first attempt already did (`published` lives for one batch's attempts).
   */
  async function publishDead(all: readonly DeadRecord[], published: Set<string>): Promise<void> {
    const position = (d: DeadRecord): string => `${d.record.topic}/${d.record.partition}/${d.record.offset}`;
    const dead = all.filter((d) => !published.has(position(d)));
    if (!dead.length) return;
    const letters = await deadLetters.publish(dead);
    for (const d of dead) published.add(position(d));
    for (const [i, letter] of letters.entries()) {
      const record = dead[i]?.record;
      metrics.deadLetters.inc({ ...labels, code: letter.errorCode });
      metrics.events.inc({ ...labels, topic: letter.topic, outcome: 'dead' });
      log.warn(
        {
          deadLetterId: letter.id,
          code: letter.errorCode,
          topic: letter.topic,
          partition: letter.partition,
          offset: letter.offset,
          urn: record?.key?.toString('utf8'),
        },
        'record dead-lettered',
      );
    }
  }

  async function emitDirect(emits: readonly PlannedEmit[]): Promise<void> {
    if (!emits.length) return;
    const topicMessages = await Promise.all(
      emits.map(async (emit) => ({
        topic: emit.topic.name,
        messages: [
          {
            key: emit.key,
            value: await options.codec.encode(emit.topic, emit.value),
            headers: sourceHeaders(emit),
          },
        ],
      })),
    );
    await producer.sendBatch({ topicMessages, acks: -1 });
  }

  /** Applies a list of events; throws only retriable errors. */
  async function apply(
    events: readonly InputEvent<V>[],
    rawOf: (e: InputEvent<V>) => RawRecord,
    published: Set<string>,
  ): Promise<void> {
    if (!events.length) return;
    try {
      const loaded = store
        ? await store.load(
            [...new Set(events.map((e) => e.key))],
            events.map((e) => e.id),
          )
        : { states: new Map(), applied: new Set<string>() };
      const began = performance.now();
      const plan = planBatch(processor, events, loaded.states, loaded.applied, rawOf);
      metrics.handleSeconds.observe(labels, (performance.now() - began) / 1000);
      await publishDead(plan.dead, published);
      let outbox: OutboxRow[] = [];
      if (store) outbox = await store.commit(plan, sourceHeaders);
      if (plan.documents.length) {
        if (!options.elasticsearch)
          throw new Error(`${processor.name} writes documents but has no Elasticsearch client`);
        const failures = await writeDocuments(options.elasticsearch, plan.documents);
        if (failures.length) log.error({ failures: failures.length }, 'documents rejected for their content');
      }
      if (store) await relay.publish(outbox);
      else await emitDirect(plan.emits);
      const now = Date.now();
      for (const event of plan.applied) {
        metrics.events.inc({ ...labels, topic: event.topic, outcome: 'processed' });
        metrics.endToEndSeconds.observe(labels, Math.max(0, now - event.timestamp) / 1000);
      }
      for (const event of plan.duplicates)
        metrics.events.inc({ ...labels, topic: event.topic, outcome: 'duplicate' });
    } catch (error) {
      if (isRetriable(error)) throw error;
      if (events.length > 1) {
        // Find the record that cannot be applied: one at a time, in order (keys stay ordered).
        log.warn(
          { err: error, size: events.length },
          'batch could not be applied; isolating the failing record',
        );
        for (const event of events) await apply([event], rawOf, published);
        return;
      }
      const [event] = events;
      if (!event) return;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const code = errorCodeOf(error) === 'STW_INTERNAL' ? 'STW_HANDLER_FAILED' : errorCodeOf(error);
      await publishDead([{ record: rawOf(event), code, message }], published);
    }
  }

  async function processRecords(records: readonly RawRecord[], published: Set<string>): Promise<void> {
    const decoded: Decoded<V>[] = await Promise.all(
      records.map((r) => decodeRecord(r, processor, options.codec, options.retryTopic)),
    );
    const rawOf = new Map<InputEvent<V>, RawRecord>();
    const events: InputEvent<V>[] = [];
    const dead: DeadRecord[] = [];
    decoded.forEach((d, i) => {
      const raw = records[i];
      if (!raw) return;
      if (d.kind === 'event') {
        events.push(d.event);
        rawOf.set(d.event, raw);
      } else if (d.kind === 'dead') dead.push(d.dead);
      else metrics.events.inc({ ...labels, topic: raw.topic, outcome: 'ignored' });
    });
    await publishDead(dead, published);
    const rawFor = (e: InputEvent<V>): RawRecord => {
      const raw = rawOf.get(e);
      if (!raw) throw new Error('event without its record');
      return raw;
    };
    await apply(events, rawFor, published);
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!batch.messages.length) return;
    const began = performance.now();
    const records = batch.messages.map((m) => toRaw(batch.topic, batch.partition, m));
    const published = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      if (!payload.isRunning() || payload.isStale()) return;
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
  const sweeper = store
    ? setInterval(
        () => {
          relay
            .sweep(processor.name, options.outboxSweepAfterMs)
            .then(
              (n) =>
                n && log.info({ published: n }, 'outbox sweep published rows left by a stopped instance'),
            )
            .catch((error: unknown) => log.warn({ err: error }, 'outbox sweep failed'));
        },
        Math.max(1000, options.outboxSweepAfterMs / 2),
      ).unref()
    : undefined;
  // Retention of the runtime's tables: the ledger outlives every redelivery the input topics allow,
  // published outbox rows a day, originals of dead letters the DLQ topic's own retention.
  const ledgerHorizonMs =
    2 *
    Math.max(
      ...processor.consumes.map((t) =>
        t.config['retention.ms'] > 0 ? t.config['retention.ms'] : 7 * 86_400_000,
      ),
    );
  const housekeeping = setInterval(() => {
    void (async () => {
      const pruned = {
        ledger: store ? await store.pruneLedger(ledgerHorizonMs) : 0,
        outbox: store ? await relay.prune(processor.name, 86_400_000) : 0,
        deadLetterPayloads:
          (
            await options.pool.query(
              `DELETE FROM steward_dlq_payloads WHERE stored_at < now() - make_interval(secs => $1::double precision / 1000)`,
              [options.dlqTopic.config['retention.ms']],
            )
          ).rowCount ?? 0,
      };
      if (pruned.ledger || pruned.outbox || pruned.deadLetterPayloads)
        log.info(pruned, 'housekeeping pruned expired rows');
    })().catch((error: unknown) => log.warn({ err: error }, 'housekeeping failed'));
  }, options.housekeepingIntervalMs ?? 600_000).unref();
  log.info({ consumes: processor.consumes.map((t) => t.name) }, 'processor started');

  return {
    async stop() {
      clearInterval(sweeper);
      clearInterval(housekeeping);
      await consumer.disconnect();
      await producer.disconnect();
      log.info('processor stopped');
    },
  };
}
