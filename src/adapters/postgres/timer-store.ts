import type pg from 'pg';
import { inTransaction } from './pool.ts';

type Queryable = pg.Pool | pg.PoolClient;

/** pg_advisory_xact_lock key of the scheduling step: an arbitrary constant, 'STWSCHED' in ASCII. */
const SCHEDULING_LOCK = '6004520218314425668';

/**
 * Runs one scheduler's read-cursors-and-take-slots step while no other scheduler runs its own (a
 * transaction-scoped advisory lock; the step takes milliseconds). Without it, two schedulers with no
 * cursor yet for a job, passing at once, would each take their own newest slot, and with skewed clocks
 * those differ: the slots between them would never run.
 */
export function underSchedulingLock<T>(pool: pg.Pool, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEDULING_LOCK]);
    return fn(client);
  });
}

/**
 * The two (job, slot) ledgers of migrations/…_timers.sql. Their primary keys are the dedupe: whatever
 * the number of schedulers and sweep consumers, and whatever their clocks say, one row per (job, slot).
 */

export type SlotKind = 'scheduled' | 'manual' | 'skipped';

export interface SlotRef {
  readonly job: string;
  readonly slot: Date;
}

export interface SlotCursor {
  /** The latest slot the schedulers passed (fired or skipped) at or before the cut-off: the catch-up cursor. */
  readonly last: Date | undefined;
  /** The latest slot of all; later than the cut-off only when a clock ran ahead. */
  readonly newest: Date;
}

/**
 * Per job, its cursor as of `notAfter` (this scheduler's clock plus the skew tolerance). Slots beyond it
 * were taken by a clock that ran ahead (another instance's, or an accelerated one on this database):
 * waiting for them would stop the job, so they do not count; the (job, slot) key still dedupes.
 */
export async function slotCursors(pool: Queryable, notAfter: Date): Promise<Map<string, SlotCursor>> {
  const { rows } = await pool.query<{ job: string; last: Date | null; newest: Date }>(
    `SELECT job, max(slot) FILTER (WHERE slot <= $1) AS last, max(slot) AS newest
     FROM steward_timer_slots WHERE kind <> 'manual' GROUP BY job`,
    [notAfter],
  );
  return new Map(rows.map((row) => [row.job, { last: row.last ?? undefined, newest: row.newest }]));
}

/** Takes (job, slot) for this scheduler; false when another already had it. */
export async function takeSlot(
  pool: Queryable,
  ref: SlotRef,
  kind: SlotKind,
  schedulerId: string,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO steward_timer_slots (job, slot, kind, scheduler_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (job, slot) DO NOTHING`,
    [ref.job, ref.slot, kind, schedulerId],
  );
  return rowCount === 1;
}

export async function markPublished(pool: pg.Pool, refs: readonly SlotRef[]): Promise<void> {
  if (!refs.length) return;
  await pool.query(
    `UPDATE steward_timer_slots SET published_at = now()
     WHERE (job, slot) IN (SELECT * FROM unnest($1::text[], $2::timestamptz[]))`,
    [refs.map((r) => r.job), refs.map((r) => r.slot)],
  );
}

/**
 * Slots taken more than `olderThanMs` ago whose tick was never published (the scheduler that took them
 * died before sending): this scheduler adopts them (its id, taken now) so it alone republishes them.
 */
export async function adoptUnpublished(
  pool: pg.Pool,
  schedulerId: string,
  olderThanMs: number,
  limit: number,
): Promise<SlotRef[]> {
  const { rows } = await pool.query<{ job: string; slot: Date }>(
    `UPDATE steward_timer_slots s SET scheduler_id = $1, taken_at = now()
     FROM (SELECT job, slot FROM steward_timer_slots
           WHERE published_at IS NULL AND kind <> 'skipped' AND taken_at < now() - $2 * interval '1 millisecond'
           ORDER BY taken_at LIMIT $3 FOR UPDATE SKIP LOCKED) stale
     WHERE s.job = stale.job AND s.slot = stale.slot
     RETURNING s.job, s.slot`,
    [schedulerId, olderThanMs, limit],
  );
  return rows;
}

export type RunClaim =
  | { readonly claimed: true; readonly attempts: number }
  | {
      readonly claimed: false;
      readonly status: 'running' | 'succeeded' | 'failed';
      readonly runnerId: string;
      /** Milliseconds until the holder's lease lapses (≤ 0: lapsed). */
      readonly leaseLeftMs: number;
    };

/**
 * Claims the run of (job, slot) for `runnerId` with a lease. A run is claimed when it is new, failed, or
 * running under a lease that lapsed (its runner died); never when it succeeded or is held.
 */
export async function claimRun(
  pool: pg.Pool,
  ref: SlotRef,
  runnerId: string,
  leaseMs: number,
): Promise<RunClaim> {
  const claimed = await pool.query<{ attempts: number }>(
    `INSERT INTO steward_job_runs AS r (job, slot, status, runner_id, lease_until)
     VALUES ($1, $2, 'running', $3, now() + $4 * interval '1 millisecond')
     ON CONFLICT (job, slot) DO UPDATE SET
       status = 'running', runner_id = EXCLUDED.runner_id, attempts = r.attempts + 1, started_at = now(),
       lease_until = EXCLUDED.lease_until, finished_at = NULL, outcome = NULL, error = NULL
     WHERE r.status = 'failed' OR (r.status = 'running' AND r.lease_until < now())
     RETURNING attempts`,
    [ref.job, ref.slot, runnerId, leaseMs],
  );
  const row = claimed.rows[0];
  if (row) return { claimed: true, attempts: row.attempts };
  const { rows } = await pool.query<{
    status: 'running' | 'succeeded' | 'failed';
    runner_id: string;
    left: number;
  }>(
    `SELECT status, runner_id, (extract(epoch FROM lease_until - now()) * 1000)::float8 AS left
     FROM steward_job_runs WHERE job = $1 AND slot = $2`,
    [ref.job, ref.slot],
  );
  const held = rows[0];
  // Deleted between the two statements (housekeeping of a 90-day-old run): claim again.
  if (!held) return claimRun(pool, ref, runnerId, leaseMs);
  return { claimed: false, status: held.status, runnerId: held.runner_id, leaseLeftMs: held.left };
}

/** Extends this runner's lease; false when the run is no longer this runner's (it was taken over). */
export async function renewRun(
  pool: pg.Pool,
  ref: SlotRef,
  runnerId: string,
  leaseMs: number,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE steward_job_runs SET lease_until = now() + $4 * interval '1 millisecond'
     WHERE job = $1 AND slot = $2 AND runner_id = $3 AND status = 'running'`,
    [ref.job, ref.slot, runnerId, leaseMs],
  );
  return rowCount === 1;
}

/** Records the end of this runner's run; false when it was taken over meanwhile (nothing is written). */
export async function finishRun(
  pool: pg.Pool,
  ref: SlotRef,
  runnerId: string,
  result: { status: 'succeeded'; outcome: Record<string, unknown> } | { status: 'failed'; error: string },
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE steward_job_runs SET status = $4, finished_at = now(), outcome = $5, error = $6
     WHERE job = $1 AND slot = $2 AND runner_id = $3 AND status = 'running'`,
    [
      ref.job,
      ref.slot,
      runnerId,
      result.status,
      result.status === 'succeeded' ? JSON.stringify(result.outcome) : null,
      result.status === 'failed' ? result.error.slice(0, 2000) : null,
    ],
  );
  return rowCount === 1;
}

export interface JobRunSummary {
  readonly job: string;
  readonly lastSlot: Date | null;
  readonly lastStatus: string | null;
  readonly lastFinishedAt: Date | null;
  readonly lastSuccessAt: Date | null;
  readonly lastOutcome: unknown;
  readonly runs: number;
}

/** The latest run of each job that has one, and its latest success. */
export async function jobRunSummaries(pool: pg.Pool): Promise<Map<string, JobRunSummary>> {
  const { rows } = await pool.query<{
    job: string;
    slot: Date;
    status: string;
    finished_at: Date | null;
    outcome: unknown;
    last_success: Date | null;
    runs: string;
  }>(
    `SELECT DISTINCT ON (job) job, slot, status, finished_at, outcome,
       max(finished_at) FILTER (WHERE status = 'succeeded') OVER (PARTITION BY job) AS last_success,
       count(*) OVER (PARTITION BY job) AS runs
     FROM steward_job_runs ORDER BY job, slot DESC`,
  );
  return new Map(
    rows.map((row) => [
      row.job,
      {
        job: row.job,
        lastSlot: row.slot,
        lastStatus: row.status,
        lastFinishedAt: row.finished_at,
        lastSuccessAt: row.last_success,
        lastOutcome: row.outcome,
        runs: Number(row.runs),
      },
    ]),
  );
}

/**
 * Housekeeping: slot and run rows for slots before `before` (the scheduler's clock minus the retention,
 * not the database's: slot instants are the scheduler's). A job's latest slot row is its catch-up cursor
 * and is kept, however old, with its run.
 */
export async function pruneTimerRows(pool: pg.Pool, before: Date): Promise<number> {
  const slots = await pool.query(
    `DELETE FROM steward_timer_slots s WHERE slot < $1
       AND slot < (SELECT max(slot) FROM steward_timer_slots t WHERE t.job = s.job AND t.kind <> 'manual')`,
    [before],
  );
  const runs = await pool.query(
    `DELETE FROM steward_job_runs r WHERE slot < $1
       AND slot < (SELECT max(slot) FROM steward_job_runs t WHERE t.job = r.job)`,
    [before],
  );
  return (slots.rowCount ?? 0) + (runs.rowCount ?? 0);
}
