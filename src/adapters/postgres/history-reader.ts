import type pg from 'pg';
import type { ComplianceResult } from '../../../processors/compliance/result.ts';
import { guarded } from './guarded.ts';

/**
 * The API's reads of an asset's history in PostgreSQL (the system of record): schema versions, quality
 * scores and violations. Newest first, keyset-paged (a page never skips or repeats a row when new ones
 * arrive). Nothing here holds a sample value: these tables keep only derived evidence.
 */

export interface ColumnSnapshot {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly ordinal?: number;
  readonly primaryKey?: boolean;
  readonly unique?: boolean;
}

export interface ColumnChangeRow {
  readonly kind: string;
  readonly column: string;
  readonly from?: string | boolean | number | null;
  readonly to?: string | boolean | number | null;
  readonly previousName?: string;
  readonly breaking: boolean;
  readonly reason: string;
}

export interface SchemaVersionRow {
  readonly version: number;
  readonly fingerprint: string;
  readonly columns: readonly ColumnSnapshot[];
  readonly changes: readonly ColumnChangeRow[];
  readonly summary: string;
  readonly breaking: boolean;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly eventId: string;
}

export interface QualityPoint {
  readonly scoredAt: string;
  readonly score: number | null;
  readonly band: string | null;
  readonly dimensions: Readonly<Record<string, number | null>>;
  readonly rowCount: number | null;
  readonly eventId: string;
}

export interface ViolationRow {
  readonly id: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly episode: number;
  readonly status: 'open' | 'resolved';
  readonly severity: string;
  readonly escalated: boolean;
  readonly reasons: readonly string[];
  readonly openedAt: string;
  readonly dueAt: string;
  readonly resolvedAt: string | null;
}

/** One column's classes as compliance last evaluated them, with their evidence (never a sample value). */
export type ColumnEvidence = ComplianceResult['columns'][number];

/** What PostgreSQL says of an asset's search document: its revision, and compliance's evidence. */
export interface DocumentState {
  /** The revision the asset's document is (or will be) indexed at: the sum of its parts' revisions. */
  readonly revision: number;
  readonly deleted: boolean;
  readonly compliance: {
    readonly evaluatedAt: string;
    readonly rulesetVersion: string;
    readonly columns: readonly ColumnEvidence[];
  } | null;
}

/** The columns of `violations` (aliased `v`) a ViolationRow is read from, and their types. */
export const VIOLATION_COLUMNS = `v.id, v.policy_id, v.policy_version, v.episode, v.status, v.severity, v.escalated,
  v.reasons, v.opened_at, v.due_at, v.resolved_at`;

export interface ViolationDbRow {
  readonly id: string;
  readonly policy_id: string;
  readonly policy_version: number;
  readonly episode: number;
  readonly status: 'open' | 'resolved';
  readonly severity: string;
  readonly escalated: boolean;
  readonly reasons: string[];
  readonly opened_at: Date;
  readonly due_at: Date;
  readonly resolved_at: Date | null;
}

export const violationOf = (r: ViolationDbRow): ViolationRow => ({
  id: r.id,
  policyId: r.policy_id,
  policyVersion: r.policy_version,
  episode: r.episode,
  status: r.status,
  severity: r.severity,
  escalated: r.escalated,
  reasons: r.reasons,
  openedAt: r.opened_at.toISOString(),
  dueAt: r.due_at.toISOString(),
  resolvedAt: r.resolved_at?.toISOString() ?? null,
});

export interface AssetHistory {
  /** Whether the catalog has ever known the asset (deleted ones keep their history). */
  exists(urn: string): Promise<boolean>;
  /** Undefined when the catalog never knew the asset. */
  documentState(urn: string): Promise<DocumentState | undefined>;
  schemaVersions(urn: string, page: { limit: number; beforeVersion?: number }): Promise<SchemaVersionRow[]>;
  quality(
    urn: string,
    page: { limit: number; before?: { scoredAt: string; eventId: string }; since?: string },
  ): Promise<QualityPoint[]>;
  violations(urn: string, filter: { status?: 'open' | 'resolved'; limit: number }): Promise<ViolationRow[]>;
}

export function assetHistory(pool: pg.Pool): AssetHistory {
  return {
    exists: (urn) =>
      guarded(async () => {
        const { rowCount } = await pool.query('SELECT 1 FROM assets WHERE urn = $1', [urn]);
        return (rowCount ?? 0) > 0;
      }),
    documentState: (urn) =>
      guarded(async () => {
        const { rows } = await pool.query<{
          revision: string;
          deleted: boolean;
          columns: ColumnEvidence[] | null;
          evaluated_at: Date | null;
          ruleset_version: string | null;
        }>(
          `SELECT (a.revision + coalesce(c.revision, 0) + coalesce(q.revision, 0))::text AS revision, a.deleted,
                  c.columns, c.evaluated_at, c.ruleset_version
             FROM assets a
             LEFT JOIN asset_compliance c ON c.urn = a.urn
             LEFT JOIN asset_quality q ON q.urn = a.urn
            WHERE a.urn = $1`,
          [urn],
        );
        const row = rows[0];
        if (!row) return undefined;
        return {
          revision: Number(row.revision),
          deleted: row.deleted,
          compliance:
            row.columns && row.evaluated_at && row.ruleset_version
              ? {
                  evaluatedAt: row.evaluated_at.toISOString(),
                  rulesetVersion: row.ruleset_version,
                  columns: row.columns,
                }
              : null,
        };
      }),
    schemaVersions: (urn, page) =>
      guarded(async () => {
        const { rows } = await pool.query<{
          version: number;
          fingerprint: string;
          columns: ColumnSnapshot[];
          diff: { changes?: ColumnChangeRow[]; summary?: string };
          breaking: boolean;
          occurred_at: Date;
          recorded_at: Date;
          event_id: string;
        }>(
          `SELECT version, fingerprint, columns, diff, breaking, occurred_at, recorded_at, event_id
             FROM schema_versions WHERE urn = $1 AND ($2::int IS NULL OR version < $2)
            ORDER BY version DESC LIMIT $3`,
          [urn, page.beforeVersion ?? null, page.limit],
        );
        return rows.map((r) => ({
          version: r.version,
          fingerprint: r.fingerprint,
          columns: r.columns,
          changes: r.diff.changes ?? [],
          summary: r.diff.summary ?? '',
          breaking: r.breaking,
          occurredAt: r.occurred_at.toISOString(),
          recordedAt: r.recorded_at.toISOString(),
          eventId: r.event_id,
        }));
      }),
    quality: (urn, page) =>
      guarded(async () => {
        const { rows } = await pool.query<{
          scored_at: Date;
          score: number | null;
          band: string | null;
          dimensions: Record<string, number | null>;
          row_count: string | null;
          event_id: string;
        }>(
          `SELECT scored_at, score, band, dimensions, row_count, event_id FROM quality_history
            WHERE urn = $1
              AND ($2::timestamptz IS NULL OR (scored_at, event_id) < ($2::timestamptz, $3::text))
              AND ($4::timestamptz IS NULL OR scored_at >= $4::timestamptz)
            ORDER BY scored_at DESC, event_id DESC LIMIT $5`,
          [urn, page.before?.scoredAt ?? null, page.before?.eventId ?? '', page.since ?? null, page.limit],
        );
        return rows.map((r) => ({
          scoredAt: r.scored_at.toISOString(),
          score: r.score,
          band: r.band,
          dimensions: r.dimensions,
          rowCount: r.row_count === null ? null : Number(r.row_count),
          eventId: r.event_id,
        }));
      }),
    violations: (urn, filter) =>
      guarded(async () => {
        const { rows } = await pool.query<ViolationDbRow>(
          `SELECT ${VIOLATION_COLUMNS}
             FROM violations v WHERE v.urn = $1 AND ($2::text IS NULL OR v.status = $2)
            ORDER BY (v.status = 'open') DESC, v.opened_at DESC, v.id LIMIT $3`,
          [urn, filter.status ?? null, filter.limit],
        );
        return rows.map(violationOf);
      }),
  };
}
