import type pg from 'pg';
import type { PartitionFreshness } from '../../domain/freshness.ts';

/**
 * One check of a partition: what to merge into its row (the row's fields but `checkedAt`, which the
 * database stamps). `caughtUpAt` is set when the lag was 0 at this check; `reflectedThrough` is the newest
 * event time applied since the last check, if any.
 */
export type FreshnessCheck = Omit<PartitionFreshness, 'checkedAt'>;

/**
 * Merges checks into `steward_freshness`. Instants only move forward (several instances of a group write
 * the same rows); the lag is the latest reading.
 */
export async function saveFreshness(pool: pg.Pool, checks: readonly FreshnessCheck[]): Promise<void> {
  if (!checks.length) return;
  await pool.query(
    `INSERT INTO steward_freshness AS f (group_id, topic, partition, lag, caught_up_at, reflected_through, checked_at)
     SELECT * , now() FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET
       lag = EXCLUDED.lag,
       caught_up_at = GREATEST(f.caught_up_at, EXCLUDED.caught_up_at),
       reflected_through = GREATEST(f.reflected_through, EXCLUDED.reflected_through),
       checked_at = GREATEST(f.checked_at, EXCLUDED.checked_at)`,
    [
      checks.map((c) => c.group),
      checks.map((c) => c.topic),
      checks.map((c) => c.partition),
      checks.map((c) => c.lag),
      checks.map((c) => c.caughtUpAt),
      checks.map((c) => c.reflectedThrough),
    ],
  );
}

type Row = {
  group_id: string;
  topic: string;
  partition: number;
  lag: string;
  caught_up_at: Date | null;
  reflected_through: Date | null;
  checked_at: Date;
};

/** The freshness rows of `groups`, ordered by group, topic and partition. */
export async function readFreshness(pool: pg.Pool, groups: readonly string[]): Promise<PartitionFreshness[]> {
  const { rows } = await pool.query<Row>(
    `SELECT group_id, topic, partition, lag, caught_up_at, reflected_through, checked_at
       FROM steward_freshness WHERE group_id = ANY($1::text[]) ORDER BY group_id, topic, partition`,
    [groups],
  );
  return rows.map((r) => ({
    group: r.group_id,
    topic: r.topic,
    partition: r.partition,
    lag: Number(r.lag),
    caughtUpAt: r.caught_up_at,
    reflectedThrough: r.reflected_through,
    checkedAt: r.checked_at,
  }));
}
