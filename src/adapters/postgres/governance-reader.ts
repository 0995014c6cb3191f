/**
 * The API's reads across the catalog in PostgreSQL: violations of every asset, policies with their
 * versions, governance KPIs with their daily series, and data sources. Read only; keyset-paged where a
 * list can grow without bound. PostgreSQL being unreachable is a dependency outage (503).
 */
import type pg from 'pg';
import { guarded } from './guarded.ts';
import { computeKpis, type Kpis } from '../../scheduler/sweeps/kpi-aggregate.ts';
import type { Policy } from '../../domain/policy.ts';
import { VIOLATION_COLUMNS, violationOf, type ViolationDbRow, type ViolationRow } from './history-reader.ts';

export interface ViolationListRow extends ViolationRow {
  readonly urn: string;
  readonly owners: readonly string[];
  readonly acknowledged: { readonly by: string; readonly at: string; readonly note: string | null } | null;
}

export interface ViolationFilter {
  readonly status?: 'open' | 'resolved';
  /** Any of these (OR); absent: every one. */
  readonly severity?: readonly string[];
  readonly policy?: readonly string[];
  readonly owner?: readonly string[];
  readonly acknowledged?: boolean;
  readonly limit: number;
  /** Rows after this one in the order (opened_at desc, id desc). */
  readonly after?: { readonly openedAt: string; readonly id: string };
}

export interface PolicyVersion {
  readonly policy: Policy;
  readonly builtin: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface KpiSnapshot {
  readonly slot: string;
  readonly kpis: Kpis;
}

export interface SourceRow {
  readonly platform: string;
  readonly instance: string;
  readonly assets: number;
  readonly deletedAssets: number;
  readonly staleAssets: number;
  /** When the newest event merged into any of its assets happened at the source. */
  readonly lastEventAt: string | null;
  /** When the catalog last changed one of its assets. */
  readonly lastUpdatedAt: string;
}

export interface GovernanceReader {
  violations(filter: ViolationFilter): Promise<ViolationListRow[]>;
  /** The current version of every policy (`enabled: false` ones included). */
  policies(): Promise<PolicyVersion[]>;
  /** Every version of one policy, newest first; empty when unknown. */
  policyVersions(id: string): Promise<PolicyVersion[]>;
  kpis(at: Date): Promise<Kpis>;
  kpiSeries(since: Date): Promise<KpiSnapshot[]>;
  sources(): Promise<SourceRow[]>;
}

const iso = (value: Date | null): string | null => value?.toISOString() ?? null;

interface PolicyRow {
  definition: Policy;
  builtin: boolean;
  created_by: string;
  created_at: Date;
}
const policyOf = (row: PolicyRow): PolicyVersion => ({
  policy: row.definition,
  builtin: row.builtin,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
});

export function governanceReader(pool: pg.Pool): GovernanceReader {
  return {
    violations: (filter) =>
      guarded(async () => {
        const { rows } = await pool.query<
          ViolationDbRow & {
            urn: string;
            owners: string[] | null;
            ack_by: string | null;
            ack_at: Date | null;
            ack_note: string | null;
          }
        >(
          `SELECT ${VIOLATION_COLUMNS}, v.urn, a.owners,
                  k.acknowledged_by AS ack_by, k.acknowledged_at AS ack_at, k.note AS ack_note
             FROM violations v
             LEFT JOIN assets a ON a.urn = v.urn
             LEFT JOIN violation_acknowledgements k ON k.violation_id = v.id
            WHERE ($1::text IS NULL OR v.status = $1)
              AND ($2::text[] IS NULL OR v.severity = ANY($2))
              AND ($3::text[] IS NULL OR v.policy_id = ANY($3))
              AND ($4::text[] IS NULL OR a.owners && $4)
              AND ($5::boolean IS NULL OR (k.violation_id IS NOT NULL) = $5)
              AND ($6::timestamptz IS NULL OR (v.opened_at, v.id) < ($6, $7::text))
            ORDER BY v.opened_at DESC, v.id DESC
            LIMIT $8`,
          [
            filter.status ?? null,
            filter.severity ?? null,
            filter.policy ?? null,
            filter.owner ?? null,
            filter.acknowledged ?? null,
            filter.after?.openedAt ?? null,
            filter.after?.id ?? null,
            filter.limit,
          ],
        );
        return rows.map((r) => ({
          ...violationOf(r),
          urn: r.urn,
          owners: r.owners ?? [],
          acknowledged:
            r.ack_by !== null && r.ack_at !== null
              ? { by: r.ack_by, at: r.ack_at.toISOString(), note: r.ack_note }
              : null,
        }));
      }),

    policies: () =>
      guarded(async () => {
        const { rows } = await pool.query<PolicyRow>(
          `SELECT DISTINCT ON (id) definition, builtin, created_by, created_at FROM policies
            ORDER BY id, version DESC`,
        );
        return rows.map(policyOf);
      }),

    policyVersions: (id) =>
      guarded(async () => {
        const { rows } = await pool.query<PolicyRow>(
          `SELECT definition, builtin, created_by, created_at FROM policies WHERE id = $1
            ORDER BY version DESC LIMIT 1000`,
          [id],
        );
        return rows.map(policyOf);
      }),

    kpis: (at) => guarded(() => computeKpis(pool, at)),

    kpiSeries: (since) =>
      guarded(async () => {
        const { rows } = await pool.query<{ slot: Date; kpis: Kpis }>(
          `SELECT slot, kpis FROM steward_kpi_snapshots WHERE slot >= $1 ORDER BY slot LIMIT 1000`,
          [since],
        );
        return rows.map((r) => ({ slot: r.slot.toISOString(), kpis: r.kpis }));
      }),

    sources: () =>
      guarded(async () => {
        const { rows } = await pool.query<{
          platform: string;
          instance: string;
          assets: string;
          deleted: string;
          stale: string;
          last_event_at: Date | null;
          last_updated_at: Date;
        }>(
          `SELECT platform, instance,
                  count(*) FILTER (WHERE NOT deleted AND NOT placeholder) AS assets,
                  count(*) FILTER (WHERE deleted) AS deleted,
                  count(*) FILTER (WHERE NOT deleted AND stale_since IS NOT NULL) AS stale,
                  max((updated_stamp->>'occurredAt')::timestamptz) FILTER (WHERE NOT placeholder) AS last_event_at,
                  max(updated_at) AS last_updated_at
             FROM assets GROUP BY platform, instance ORDER BY platform, instance LIMIT 10000`,
        );
        return rows.map((r) => ({
          platform: r.platform,
          instance: r.instance,
          assets: Number(r.assets),
          deletedAssets: Number(r.deleted),
          staleAssets: Number(r.stale),
          lastEventAt: iso(r.last_event_at),
          lastUpdatedAt: r.last_updated_at.toISOString(),
        }));
      }),
  };
}
