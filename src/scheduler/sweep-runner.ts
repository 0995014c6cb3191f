import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { DeadLetterSink } from '../adapters/dead-letter-sink.ts';
import { claimRun, finishRun, renewRun, type SlotRef } from '../adapters/postgres/timer-store.ts';
import type { TopicCodec } from '../adapters/registry.ts';
import type { JobDeclaration } from '../domain/schedule.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import { isStewardError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { backoffMs } from '../runtime/backoff.ts';
import { toRaw, type DeadRecord } from '../runtime/records.ts';
import type { TimerMetrics } from './metrics.ts';
import type { Tick } from './scheduler.ts';

/** What a sweep gets for one run of its job. */
export interface SweepContext {
  readonly job: JobDeclaration;
  /** The slot: the run's identity, and the instant "now" means for the sweep. */
  readonly slot: Date;
  readonly logger: Logger;
  /** Call between pages of work: keeps the consumer in its group (long sweeps). */
  readonly progress: () => Promise<void>;
}

/** A periodic job's effect. Idempotent: a run taken over after a crash repeats it without harm. */
export interface Sweep {
  readonly job: string;
  /** Returns what it did (counts, drift, figures), recorded with the run. */
  run(context: SweepContext): Promise<Record<string, unknown>>;
}

export const sweepsGroup = 'steward.sweeps';

export interface SweepRunnerOptions {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly codec: TopicCodec;
  readonly pool: pg.Pool;
  readonly timers: TopicDeclaration;
  readonly dlq: TopicDeclaration;
  readonly jobs: readonly JobDeclaration[];
  readonly sweeps: readonly Sweep[];
  readonly runnerId: string;
  readonly leaseMs: number;
  readonly logger: Logger;
  readonly metrics: TimerMetrics;
  readonly consumer: { readonly sessionTimeoutMs: number; readonly heartbeatIntervalMs: number };
  /** Attempts of a failing sweep within one claim before the run is recorded as failed. */
  readonly attempts?: number;
  readonly group?: string;
}

export interface RunningSweeps {
  stop(): Promise<void>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Checks a decoded tick; the reason is what the dead letter says. */
export function acceptTick(
  value: unknown,
  key: string,
  jobs: readonly JobDeclaration[],
): { ok: true; tick: Tick } | { ok: false; reason: string } {
  if (!isRecord(value)) return { ok: false, reason: 'the value is not a Tick record' };
  const { job, slot, firedAt, schedulerId } = value;
  if (
    typeof job !== 'string' ||
    typeof slot !== 'string' ||
    typeof firedAt !== 'string' ||
    typeof schedulerId !== 'string'
  )
    return { ok: false, reason: 'job, slot, firedAt and schedulerId must be strings' };
  if (job !== key) return { ok: false, reason: `the record key (${key}) is not the tick's job (${job})` };
  if (!jobs.some((j) => j.name === job)) return { ok: false, reason: `unknown job ${JSON.stringify(job)}` };
  if (Number.isNaN(Date.parse(slot)) || new Date(slot).toISOString() !== slot)
    return { ok: false, reason: `slot ${JSON.stringify(slot)} is not an ISO-8601 UTC instant` };
  return { ok: true, tick: { job, slot, firedAt, schedulerId } };
}

/**
 * Keeps the member in its group during long work. A heartbeat refused because the group is rebalancing
 * is no failure: the rebalance waits for the tick in hand, and a member that gets the partition meanwhile
 * waits for this run's lease.
 */
const heartbeatOf = (payload: EachMessagePayload) => (): Promise<void> =>
  payload.heartbeat().catch(() => undefined);

/**
 * The sweeps consumer group: one tick at a time per partition, each run claimed in `steward_job_runs`
 * (one row per (job, slot), the run-side dedupe) under a lease it renews while the sweep works. A tick
 * whose run already succeeded is a duplicate; one whose run is held by a live runner waits for it (the
 * offset is not committed until the slot has run somewhere, so a runner that dies mid-run loses nothing:
 * its lease lapses and the waiting or redelivered tick takes the run over). Offsets are committed after
 * each tick. A tick that cannot be decoded or names an unknown job is dead-lettered.
 */
export async function startSweeps(options: SweepRunnerOptions): Promise<RunningSweeps> {
  const { pool, metrics, runnerId, leaseMs } = options;
  const group = options.group ?? sweepsGroup;
  const log = options.logger.child({ component: 'sweeps', group, runnerId });
  const sweeps = new Map(options.sweeps.map((s) => [s.job, s]));
  const missing = options.jobs.filter((job) => !sweeps.has(job.name)).map((job) => job.name);
  if (missing.length) throw new Error(`jobs without a sweep: ${missing.join(', ')}`);
  const deadLetters = new DeadLetterSink({
    producer: options.producer,
    codec: options.codec,
    pool,
    topic: options.dlq,
    group,
    processor: 'sweeps',
  });
  const consumer: Consumer = options.kafka.consumer({
    groupId: group,
    sessionTimeout: options.consumer.sessionTimeoutMs,
    heartbeatInterval: options.consumer.heartbeatIntervalMs,
    retry: { retries: 10 },
  });
  let stopping = false;

  async function decode(payload: EachMessagePayload): Promise<Tick | DeadRecord> {
    const record = toRaw(payload.topic, payload.partition, payload.message);
    const dead = (message: string, code: DeadRecord['code'] = 'STW_CONTRACT_INVALID'): DeadRecord => ({
      record,
      code,
      message,
    });
    if (record.value === null) return dead('a tick cannot be a tombstone');
    let value: unknown;
    try {
      value = await options.codec.decode(record.value);
    } catch (error) {
      if (isStewardError(error) && !error.retriable) return dead(error.message, error.code);
      throw error;
    }
    const accepted = acceptTick(value, record.key?.toString('utf8') ?? '', options.jobs);
    return accepted.ok ? accepted.tick : dead(accepted.reason);
  }

  /** Runs the slot under a claim this runner holds; records the outcome. */
  async function runClaimed(job: JobDeclaration, ref: SlotRef, payload: EachMessagePayload): Promise<void> {
    const heartbeat = heartbeatOf(payload);
    const sweep = sweeps.get(job.name);
    if (!sweep) throw new Error(`no sweep for ${job.name}`);
    const jobLog = log.child({ job: job.name, slot: ref.slot.toISOString() });
    const renewal = setInterval(
      () => {
        renewRun(pool, ref, runnerId, leaseMs)
          .then((held) => held || jobLog.warn('the run was taken over by another runner (lease lapsed)'))
          .catch((error: unknown) => jobLog.warn({ err: error }, 'lease renewal failed'));
        void heartbeat();
      },
      Math.max(250, Math.min(leaseMs / 3, options.consumer.heartbeatIntervalMs)),
    );
    const began = performance.now();
    const attempts = options.attempts ?? 3;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await sweep.run({
            job,
            slot: ref.slot,
            logger: jobLog,
            progress: heartbeat,
          });
          const seconds = (performance.now() - began) / 1000;
          await finishRun(pool, ref, runnerId, { status: 'succeeded', outcome });
          metrics.runs.inc({ job: job.name, outcome: 'succeeded' });
          metrics.runSeconds.observe({ job: job.name, outcome: 'succeeded' }, seconds);
          metrics.lastSuccess.set({ job: job.name }, Date.now() / 1000);
          jobLog.info({ outcome, seconds }, 'sweep succeeded');
          return;
        } catch (error) {
          if (attempt >= attempts) {
            const seconds = (performance.now() - began) / 1000;
            await finishRun(pool, ref, runnerId, { status: 'failed', error: String(error) });
            metrics.runs.inc({ job: job.name, outcome: 'failed' });
            metrics.runSeconds.observe({ job: job.name, outcome: 'failed' }, seconds);
            jobLog.error({ err: error, attempts: attempt }, 'sweep failed; the next slot runs it again');
            return;
          }
          jobLog.warn({ err: error, attempt }, 'sweep failed; retrying');
          await sleep(backoffMs(attempt, 500, 10_000));
        }
      }
    } finally {
      clearInterval(renewal);
    }
  }

  async function handleTick(tick: Tick, payload: EachMessagePayload): Promise<void> {
    const job = options.jobs.find((j) => j.name === tick.job);
    if (!job) throw new Error(`unknown job ${tick.job}`); // acceptTick already refused it
    const ref = { job: tick.job, slot: new Date(tick.slot) };
    const heartbeat = heartbeatOf(payload);
    for (;;) {
      if (stopping) throw new Error('stopping'); // uncommitted: the tick goes to another member
      const claim = await claimRun(pool, ref, runnerId, leaseMs);
      if (claim.claimed) return runClaimed(job, ref, payload);
      if (claim.status === 'succeeded') {
        metrics.runs.inc({ job: tick.job, outcome: 'deduplicated' });
        log.debug({ job: tick.job, slot: tick.slot }, 'slot already ran; tick deduplicated');
        return;
      }
      // Held by a live runner: wait for it to finish or for its lease to lapse, staying in the group.
      await sleep(Math.min(1000, Math.max(100, claim.leaseLeftMs)));
      await heartbeat();
    }
  }

  async function eachMessage(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    for (let attempt = 1; ; attempt++) {
      try {
        const decoded = await decode(payload);
        if ('record' in decoded) {
          await deadLetters.publish([decoded]);
          log.warn({ offset: message.offset, partition, reason: decoded.message }, 'tick dead-lettered');
        } else await handleTick(decoded, payload);
        break;
      } catch (error) {
        if (stopping) return; // not committed: redelivered to the group
        log.warn(
          { err: error, attempt, partition, offset: message.offset },
          'tick handling failed; retrying',
        );
        await sleep(backoffMs(attempt, 200, 5000));
        await heartbeatOf(payload)();
      }
    }
    await consumer.commitOffsets([{ topic, partition, offset: String(BigInt(message.offset) + 1n) }]);
  }

  await consumer.connect();
  await consumer.subscribe({ topic: options.timers.name, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage });
  log.info({ jobs: options.jobs.map((j) => j.name) }, 'sweeps started');
  return {
    async stop() {
      stopping = true;
      await consumer.disconnect();
      log.info('sweeps stopped');
    },
  };
}
