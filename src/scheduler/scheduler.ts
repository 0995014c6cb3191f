import type { Producer } from 'kafkajs';
import type pg from 'pg';
import {
  adoptUnpublished,
  markPublished,
  pruneTimerRows,
  slotCursors,
  takeSlot,
  underSchedulingLock,
  type SlotRef,
} from '../adapters/postgres/timer-store.ts';
import type { TopicCodec } from '../adapters/registry.ts';
import type { Clock } from '../domain/clock.ts';
import { dueSlots, nextSlot, type JobDeclaration } from '../domain/schedule.ts';
import type { TopicDeclaration } from '../domain/topic.ts';
import type { Logger } from '../observability/logger.ts';
import type { TimerMetrics } from './metrics.ts';

/** The value of a tick (topics/schemas/tick.ts). */
export interface Tick {
  readonly job: string;
  readonly slot: string;
  readonly firedAt: string;
  readonly schedulerId: string;
}

export interface SchedulerOptions {
  readonly pool: pg.Pool;
  readonly producer: Producer;
  readonly codec: TopicCodec;
  readonly topic: TopicDeclaration;
  readonly jobs: readonly JobDeclaration[];
  readonly clock: Clock;
  readonly schedulerId: string;
  readonly pollMs: number;
  readonly lateToleranceMs: number;
  readonly catchUpLimit: number;
  readonly logger: Logger;
  readonly metrics: TimerMetrics;
  /** A slot taken this long ago (real time) but never published is adopted and published by another. */
  readonly republishAfterMs?: number;
}

export interface PassReport {
  readonly published: SlotRef[];
  readonly republished: SlotRef[];
  readonly deduplicated: number;
  readonly skipped: number;
}

const pruneEveryMs = 3_600_000;
const keepDays = 90;

/**
 * A scheduler instance. Each pass reads the jobs' cursors (the latest slot any scheduler passed) from
 * PostgreSQL, works out what is due on this instance's clock under each job's catch-up policy, takes each
 * due (job, slot) with an insert the primary key dedupes, and publishes a tick for what it took. Slots are
 * pure functions of the job and the cursor, so instances agree on them whatever their clocks say; a skewed
 * clock only changes which instance takes a slot, and when. A scheduler that dies between taking a slot
 * and publishing it leaves an unpublished row, which another instance adopts and publishes.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #lastPrune = 0;
  readonly #warnedAhead = new Set<string>();

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  start(): void {
    const loop = (): void => {
      if (this.#stopped) return;
      this.#running = this.pass()
        .then(() => this.#options.metrics.passes.inc({ outcome: 'ok' }))
        .catch((error: unknown) => {
          this.#options.metrics.passes.inc({ outcome: 'failed' });
          this.#options.logger.warn({ err: error }, 'scheduler pass failed; retrying on the next poll');
        })
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(loop, this.#options.pollMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass over every enabled job. */
  async pass(): Promise<PassReport> {
    const { pool, jobs, clock, schedulerId, logger, metrics } = this.#options;
    // The clock is read once the lock is held: a pass that waited must not take slots as of before it.
    const { now, taken, deduplicated, skipped } = await underSchedulingLock(pool, async (db) => {
      const now = clock();
      // Beyond the tolerance, a taken slot is no cursor: a clock ran ahead (see slotCursors).
      const notAfter = new Date(now.getTime() + this.#options.lateToleranceMs);
      const cursors = await slotCursors(db, notAfter);
      const taken: SlotRef[] = [];
      let deduplicated = 0;
      let skipped = 0;
      for (const job of jobs) {
        if (!job.enabled) continue;
        const cursor = cursors.get(job.name);
        const dueOptions = {
          toleranceMs: this.#options.lateToleranceMs,
          catchUpLimit: this.#options.catchUpLimit,
        };
        if (cursor && cursor.newest > notAfter && !this.#warnedAhead.has(job.name)) {
          this.#warnedAhead.add(job.name);
          logger.warn(
            { job: job.name, newest: cursor.newest.toISOString(), clock: now.toISOString() },
            "slots ahead of this scheduler's clock were taken (a clock ran ahead); they do not hold the job back",
          );
        }
        const due = dueSlots(job, cursor?.last, now, dueOptions);
        if (due.skipped > 0) {
          skipped += due.skipped;
          metrics.ticks.inc({ job: job.name, outcome: 'skipped' }, due.skipped);
          logger.warn(
            { job: job.name, skipped: due.skipped, catchUp: job.catchUp },
            'slots missed while no scheduler ran were skipped (catch-up policy)',
          );
        }
        if (due.skippedThrough)
          await takeSlot(db, { job: job.name, slot: due.skippedThrough }, 'skipped', schedulerId);
        for (const slot of due.fire) {
          const ref = { job: job.name, slot };
          if (await takeSlot(db, ref, 'scheduled', schedulerId)) taken.push(ref);
          else {
            deduplicated += 1;
            metrics.ticks.inc({ job: job.name, outcome: 'deduplicated' });
          }
        }
        const next = nextSlot(job, now);
        if (next) metrics.nextSlot.set({ job: job.name }, next.getTime() / 1000);
      }
      return { now, taken, deduplicated, skipped };
    });
    const adopted = await adoptUnpublished(pool, schedulerId, this.#options.republishAfterMs ?? 10_000, 100);
    await this.#publish([...taken, ...adopted]);
    for (const ref of taken) metrics.ticks.inc({ job: ref.job, outcome: 'published' });
    for (const ref of adopted) {
      metrics.ticks.inc({ job: ref.job, outcome: 'republished' });
      logger.warn(
        { job: ref.job, slot: ref.slot.toISOString() },
        'published a slot another scheduler took but never sent',
      );
    }
    if (Date.now() - this.#lastPrune > pruneEveryMs) {
      this.#lastPrune = Date.now();
      const pruned = await pruneTimerRows(pool, new Date(now.getTime() - keepDays * 86_400_000));
      if (pruned) logger.info({ pruned, keepDays }, 'pruned old slot and run rows');
    }
    return { published: taken, republished: adopted, deduplicated, skipped };
  }

  /** `steward jobs run`: a manual slot now (to the second), through the same dedupe. */
  async trigger(job: JobDeclaration): Promise<SlotRef | undefined> {
    const now = this.#options.clock();
    const ref = { job: job.name, slot: new Date(Math.floor(now.getTime() / 1000) * 1000) };
    if (!(await takeSlot(this.#options.pool, ref, 'manual', this.#options.schedulerId))) return undefined;
    await this.#publish([ref]);
    return ref;
  }

  async #publish(refs: readonly SlotRef[]): Promise<void> {
    if (!refs.length) return;
    const { producer, codec, topic, clock, schedulerId, pool, logger } = this.#options;
    const firedAt = clock().toISOString();
    const messages = await Promise.all(
      refs.map(async (ref) => {
        const tick: Tick = { job: ref.job, slot: ref.slot.toISOString(), firedAt, schedulerId };
        return { key: ref.job, value: await codec.encode(topic, tick) };
      }),
    );
    await producer.send({ topic: topic.name, messages, acks: -1 });
    await markPublished(pool, refs);
    for (const ref of refs) logger.info({ job: ref.job, slot: ref.slot.toISOString() }, 'tick published');
  }
}
