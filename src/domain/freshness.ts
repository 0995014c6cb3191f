/**
 * Freshness: how far behind its input a consumer group's effects are, per input partition. Pure.
 *
 * A partition's watermark is the instant up to which its input is known to be reflected:
 * - when its lag is 0, "caught up at T": T is when the group's committed offset was seen equal to the
 *   partition's end offset (the end offset read first, so nothing produced before T is missing). The
 *   runtime checks this on a timer as well as after each batch, so an idle partition keeps advancing;
 * - when it lags, the event time of the last record it applied (for a derived record, the time of the
 *   input record it came from): every record of the partition up to that one is reflected, and the
 *   oldest one not yet reflected is no older than it;
 * - unknown (null) when it lags and nothing was applied yet.
 * A group's (or a set of groups') watermark is the oldest of its partitions'.
 */

/**
 * A partition row not rewritten for this long belongs to a group with no running instance (they rewrite
 * it every couple of seconds): its watermark is as old as its last check, and reports say so.
 */
export const freshnessStaleAfterMs = 30_000;

export interface PartitionFreshness {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** Records between the committed offset and the end offset when last checked. */
  readonly lag: number;
  /** When the lag was last seen to be 0. */
  readonly caughtUpAt: Date | null;
  /** Event time of the last record applied. */
  readonly reflectedThrough: Date | null;
  /** When this row was last written: a group that stopped running stops moving it. */
  readonly checkedAt: Date;
}

/** The instant up to which the partition's input is reflected; null when not known. */
export function watermarkOf(row: PartitionFreshness): Date | null {
  if (row.lag === 0) return row.caughtUpAt;
  return row.reflectedThrough;
}

export interface FreshnessSummary {
  /** The oldest partition watermark: everything before it is reflected. Null if any is unknown. */
  readonly watermark: string | null;
  /** True when every partition's lag was 0 at its last check. */
  readonly caughtUp: boolean;
  /** Total lag, in records, at the last checks. */
  readonly lag: number;
  /** Seconds from the watermark to `now` (null when unknown). */
  readonly behindSeconds: number | null;
  /** Partitions whose row was not refreshed within `staleAfterMs`: their group is not running. */
  readonly stalePartitions: number;
  readonly partitions: readonly (PartitionFreshness & { readonly watermark: Date | null })[];
}

/** Summarises the rows of the groups that feed a view (e.g. metadata-sync and the indexer for search). */
export function summariseFreshness(
  rows: readonly PartitionFreshness[],
  now: Date,
  staleAfterMs: number,
): FreshnessSummary {
  const partitions = rows.map((row) => ({ ...row, watermark: watermarkOf(row) }));
  const known = partitions.map((p) => p.watermark);
  const oldest = known.some((w) => w === null)
    ? null
    : known.reduce<Date | null>((min, w) => (min === null || (w !== null && w < min) ? w : min), null);
  return {
    watermark: oldest?.toISOString() ?? null,
    caughtUp: partitions.length > 0 && partitions.every((p) => p.lag === 0),
    lag: partitions.reduce((sum, p) => sum + p.lag, 0),
    behindSeconds: oldest === null ? null : Math.max(0, (now.getTime() - oldest.getTime()) / 1000),
    stalePartitions: partitions.filter((p) => now.getTime() - p.checkedAt.getTime() > staleAfterMs).length,
    partitions,
  };
}
