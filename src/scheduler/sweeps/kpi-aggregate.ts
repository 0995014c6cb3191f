import type pg from 'pg';
import type { Sweep } from '../sweep-runner.ts';

/** One row of `steward_kpi_snapshots.kpis`. Shares are in [0, 1]; null when there is nothing to divide. */
export interface Kpis {
  readonly assets: number;
  readonly assetsByPlatform: Readonly<Record<string, number>>;
  readonly assetsByType: Readonly<Record<string, number>>;
  /** Live assets with at least one owner, over live assets. */
  readonly ownershipCoverage: number | null;
  /** Live assets with at least one tag, over live assets. */
  readonly tagCoverage: number | null;
  /** Seen only as references so far (lineage placeholders). */
  readonly placeholders: number;
  readonly deletedAssets: number;
  /** Schema versions recorded in the 24 hours before the slot, and how many of them were breaking. */
  readonly schemaChanges24h: number;
  readonly breakingChanges24h: number;
  /** Live assets by their compliance sensitivity (assets not yet evaluated are left out). */
  readonly assetsBySensitivity: Readonly<Record<string, number>>;
  /** Open violations by severity, and how many of them are escalated (past their SLA). */
  readonly openViolationsBySeverity: Readonly<Record<string, number>>;
  readonly escalatedViolations: number;
  /** Violations opened and resolved in the 24 hours before the slot. */
  readonly violationsOpened24h: number;
  readonly violationsResolved24h: number;
  /** Live scored assets by quality band, and their mean overall score (null: none scored). */
  readonly assetsByQualityBand: Readonly<Record<string, number>>;
  readonly meanQualityScore: number | null;
}

/** `key → count` rows as an object. */
const countsOf = (rows: readonly { key: string; n: string }[]): Record<string, number> =>
  Object.fromEntries(rows.map((row) => [row.key, Number(row.n)]));

/** Counts per key of `column` over live assets, as an object. */
async function countsBy(pool: pg.Pool, column: 'platform' | 'type'): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ key: string; n: string }>(
    `SELECT ${column} AS key, count(*) AS n FROM assets WHERE NOT deleted GROUP BY ${column} ORDER BY ${column}`,
  );
  return countsOf(rows);
}

/** The KPIs as of `slot`, from the catalog (read only). */
export async function computeKpis(pool: pg.Pool, slot: Date): Promise<Kpis> {
  const totals = await pool.query<{
    live: string;
    owned: string;
    tagged: string;
    placeholders: string;
    deleted: string;
  }>(
    `SELECT count(*) FILTER (WHERE NOT deleted) AS live,
       count(*) FILTER (WHERE NOT deleted AND cardinality(owners) > 0) AS owned,
       count(*) FILTER (WHERE NOT deleted AND cardinality(tags) > 0) AS tagged,
       count(*) FILTER (WHERE NOT deleted AND placeholder) AS placeholders,
       count(*) FILTER (WHERE deleted) AS deleted
     FROM assets`,
  );
  const changes = await pool.query<{ changes: string; breaking: string }>(
    `SELECT count(*) AS changes, count(*) FILTER (WHERE breaking) AS breaking FROM schema_versions
     WHERE version > 1 AND occurred_at > $1::timestamptz - interval '24 hours' AND occurred_at <= $1`,
    [slot],
  );
  const sensitivity = await pool.query<{ key: string; n: string }>(
    `SELECT c.sensitivity AS key, count(*) AS n FROM asset_compliance c JOIN assets a ON a.urn = c.urn
     WHERE NOT a.deleted GROUP BY c.sensitivity ORDER BY c.sensitivity`,
  );
  const open = await pool.query<{ key: string; n: string; escalated: string }>(
    `SELECT severity AS key, count(*) AS n, count(*) FILTER (WHERE escalated) AS escalated FROM violations
     WHERE status = 'open' GROUP BY severity ORDER BY severity`,
  );
  const flow = await pool.query<{ opened: string; resolved: string }>(
    `SELECT count(*) FILTER (WHERE opened_at > $1::timestamptz - interval '24 hours' AND opened_at <= $1) AS opened,
            count(*) FILTER (WHERE resolved_at > $1::timestamptz - interval '24 hours' AND resolved_at <= $1) AS resolved
     FROM violations`,
    [slot],
  );
  const bands = await pool.query<{ key: string; n: string; mean: number | null }>(
    `SELECT q.band AS key, count(*) AS n, avg(q.score) AS mean FROM asset_quality q JOIN assets a ON a.urn = q.urn
     WHERE NOT a.deleted AND q.band IS NOT NULL GROUP BY q.band ORDER BY q.band`,
  );
  const scored = bands.rows.reduce((n, r) => n + Number(r.n), 0);
  const row = totals.rows[0];
  const live = Number(row?.live ?? 0);
  const share = (n: string | undefined): number | null => (live ? Number(n ?? 0) / live : null);
  return {
    assets: live,
    assetsByPlatform: await countsBy(pool, 'platform'),
    assetsByType: await countsBy(pool, 'type'),
    ownershipCoverage: share(row?.owned),
    tagCoverage: share(row?.tagged),
    placeholders: Number(row?.placeholders ?? 0),
    deletedAssets: Number(row?.deleted ?? 0),
    schemaChanges24h: Number(changes.rows[0]?.changes ?? 0),
    breakingChanges24h: Number(changes.rows[0]?.breaking ?? 0),
    assetsBySensitivity: countsOf(sensitivity.rows),
    openViolationsBySeverity: countsOf(open.rows),
    escalatedViolations: open.rows.reduce((n, r) => n + Number(r.escalated), 0),
    violationsOpened24h: Number(flow.rows[0]?.opened ?? 0),
    violationsResolved24h: Number(flow.rows[0]?.resolved ?? 0),
    assetsByQualityBand: countsOf(bands.rows),
    meanQualityScore: scored
      ? Math.round((bands.rows.reduce((sum, r) => sum + (r.mean ?? 0) * Number(r.n), 0) / scored) * 10) / 10
      : null,
  };
}

/**
 * kpi-aggregate: one KPI snapshot per slot in `steward_kpi_snapshots` (the sweep's own table), a time
 * series for trends; the API serves the live figures itself. A run taken over after a crash keeps the
 * snapshot already written for its slot. It reads compliance's and quality's tables too (read only).
 */
export function kpiAggregateSweep(deps: { pool: pg.Pool }): Sweep {
  return {
    job: 'kpi-aggregate',
    async run({ slot }) {
      const kpis = await computeKpis(deps.pool, slot);
      const { rowCount } = await deps.pool.query(
        `INSERT INTO steward_kpi_snapshots (slot, kpis) VALUES ($1, $2) ON CONFLICT (slot) DO NOTHING`,
        [slot, JSON.stringify(kpis)],
      );
      return { recorded: rowCount === 1, assets: kpis.assets, ownershipCoverage: kpis.ownershipCoverage };
    },
  };
}
