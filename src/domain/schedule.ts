/**
 * Jobs declared as data, and their slots: the UTC instants at which a job is due. Pure; the clock is an
 * argument. Cron expressions are parsed and matched by croner; the time-zone rules are wall-time.ts's.
 *
 * croner enumerates wall times in its UTC mode (floating wall times), and each is mapped to its instant
 * in the job's zone. Both daylight-saving rules follow from that mapping: every wall time of a gap maps
 * to the transition (so they fire once, at the first valid instant after the gap), and a repeated wall
 * time maps to its first occurrence (so the second pass through the hour fires nothing new). Equal
 * instants are one slot.
 */
import { Cron } from 'croner';
import { assertTimeZone, fromWallTime, toWallTime } from './wall-time.ts';

/**
 * A slot no more than the lateness tolerance behind the clock is on time and always fires (a slow pass
 * is not downtime). Older ones were missed while no scheduler ran; they fire per the job's policy:
 * - `skip`: never;
 * - `latest` (default): the most recent missed slot fires, once, unless an on-time slot supersedes it;
 * - `all`: every missed slot fires, oldest first, at most `catchUpLimit` per pass (never a storm).
 */
export type CatchUp = 'skip' | 'latest' | 'all';

export interface JobDeclaration {
  readonly name: string;
  readonly description: string;
  /** Five fields (minute hour day-of-month month day-of-week), or six with seconds first. */
  readonly cron: string;
  /** IANA zone the cron expression is read in; slot identity is always the UTC instant. */
  readonly timeZone: string;
  readonly catchUp: CatchUp;
  /** Handed to the sweep with every tick (JSON). */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly enabled: boolean;
}

/** Throws an Error naming the job and the problem when the cron expression or time zone is invalid. */
export function validateJob(job: JobDeclaration): void {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(job.name))
    throw new Error(`job name ${JSON.stringify(job.name)}: lower-case letters, digits and dashes`);
  try {
    assertTimeZone(job.timeZone);
  } catch {
    throw new Error(`job ${job.name}: unknown time zone ${JSON.stringify(job.timeZone)}`);
  }
  try {
    cronOf(job.cron);
  } catch (error) {
    throw new Error(`job ${job.name}: invalid cron expression ${JSON.stringify(job.cron)}: ${String(error)}`);
  }
}

const crons = new Map<string, Cron>();

/** The cron expression, matched against floating wall times (UTC mode). */
function cronOf(expression: string): Cron {
  let cron = crons.get(expression);
  if (!cron) {
    cron = new Cron(expression, { timezone: 'UTC', paused: true });
    crons.set(expression, cron);
  }
  return cron;
}

/** Slots strictly after `after`, in order, lazily (a job may have many). */
export function* slotsAfter(job: Pick<JobDeclaration, 'cron' | 'timeZone'>, after: Date): Generator<Date> {
  const cron = cronOf(job.cron);
  let wall: Date | null = toWallTime(after, job.timeZone);
  let last = after.getTime();
  for (;;) {
    wall = cron.nextRun(wall);
    if (!wall) return;
    const slot = fromWallTime(wall, job.timeZone);
    // Repeated wall times map to instants already passed; gap wall times to one instant: skip both.
    if (slot.getTime() <= last) continue;
    last = slot.getTime();
    yield slot;
  }
}

/** The next slot strictly after `after`, or null when the expression never matches again. */
export function nextSlot(job: Pick<JobDeclaration, 'cron' | 'timeZone'>, after: Date): Date | null {
  for (const slot of slotsAfter(job, after)) return slot;
  return null;
}

/** The latest slot at or before `at`, or null when there is none in the past. */
export function latestSlot(job: Pick<JobDeclaration, 'cron' | 'timeZone'>, at: Date): Date | null {
  const cron = cronOf(job.cron);
  // previousRuns is exclusive of its reference: start a second later so `at` itself counts.
  const reference = new Date(toWallTime(at, job.timeZone).getTime() + 1000);
  for (const wall of cron.previousRuns(3, reference)) {
    const slot = fromWallTime(wall, job.timeZone);
    if (slot.getTime() <= at.getTime()) return slot;
  }
  return null;
}

export interface DueOptions {
  /** How far behind the clock a slot may be and still be on time. */
  readonly toleranceMs: number;
  /** The most slots fired in one pass. */
  readonly catchUpLimit: number;
}

export interface Due {
  /** Slots to fire now, oldest first. */
  readonly fire: readonly Date[];
  /** `skip`: the newest missed slot, recorded (not fired) so it is not reconsidered. */
  readonly skippedThrough: Date | null;
  /** Missed slots that will never fire (counted up to 10,000). */
  readonly skipped: number;
}

const countLimit = 10_000;

/** Slots in (after, until], oldest first, at most `limit`. */
function slotsBetween(
  job: Pick<JobDeclaration, 'cron' | 'timeZone'>,
  after: Date,
  until: Date,
  limit: number,
): Date[] {
  const slots: Date[] = [];
  for (const slot of slotsAfter(job, after)) {
    if (slot.getTime() > until.getTime() || slots.length >= limit) break;
    slots.push(slot);
  }
  return slots;
}

/**
 * What a job does at `now`, given the latest slot any scheduler already took (`last`; undefined when the
 * job has never run). A job that never ran fires its latest past slot once, whatever its policy.
 */
export function dueSlots(
  job: Pick<JobDeclaration, 'cron' | 'timeZone' | 'catchUp'>,
  last: Date | undefined,
  now: Date,
  options: DueOptions,
): Due {
  const none: Due = { fire: [], skippedThrough: null, skipped: 0 };
  const newest = latestSlot(job, now);
  if (!newest) return none;
  if (last === undefined) return { ...none, fire: [newest] };
  if (newest.getTime() <= last.getTime()) return none;
  if (job.catchUp === 'all') return { ...none, fire: slotsBetween(job, last, now, options.catchUpLimit) };
  const lateBefore = new Date(now.getTime() - options.toleranceMs);
  const onTimeAfter = lateBefore.getTime() > last.getTime() ? lateBefore : last;
  const onTime = slotsBetween(job, onTimeAfter, now, options.catchUpLimit);
  const missed = lateBefore.getTime() > last.getTime() ? slotsBetween(job, last, lateBefore, countLimit) : [];
  const newestMissed = missed[missed.length - 1];
  if (!newestMissed) return { ...none, fire: onTime };
  if (job.catchUp === 'latest' && onTime.length === 0)
    return { ...none, fire: [newestMissed], skipped: missed.length - 1 };
  if (onTime.length) return { ...none, fire: onTime, skipped: missed.length };
  return { fire: [], skippedThrough: newestMissed, skipped: missed.length };
}
