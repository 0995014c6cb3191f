/**
 * What compliance reads once per batch besides its own state (its `lookup`), through the runtime's
 * read-only reader: the current policies; per key, the classes its columns inherit along active column
 * lineage (from the upstream assets' published compliance rows); the assets directly downstream of it by
 * column lineage (to ask them to re-evaluate when its classes change); and, for keys with a recent
 * breaking schema version or a deletion, everything downstream of them with owners (impact alerts).
 * The heavy part, the downstream walk, runs only for those few keys.
 */
import type { Reader } from '../../src/domain/processor.ts';
import type { DownstreamAsset } from './impact.ts';
import { loadPolicies, type PolicySet } from './policies/load.ts';
import {
  incomingClasses,
  type IncomingEdge,
  type PropagatedColumns,
  type UpstreamClass,
} from './propagation.ts';

/** How far and how wide an impact walk goes (as `GET /v1/assets/{urn}/impact`). */
export const IMPACT_DEPTH = 10;
export const IMPACT_LIMIT = 10_000;
/** Breaking versions older than this (by when they were recorded) are not announced any more. */
const BREAKING_WINDOW = '7 days';

export interface BreakingVersion {
  readonly version: number;
  readonly occurredAt: string;
  readonly reasons: readonly string[];
}

export interface Impact {
  /** Recent breaking schema versions of the key, newest first. */
  readonly breaking: readonly BreakingVersion[];
  readonly downstream: readonly DownstreamAsset[];
  readonly truncated: boolean;
}

export interface ComplianceContext extends PolicySet {
  /** The classes the key's columns inherit; undefined when not read (then nothing changes). */
  readonly incoming?: PropagatedColumns;
  /** Assets fed by the key's columns: whom to ask to re-evaluate when its classes change. */
  readonly downstream?: readonly string[];
  /** Present for keys with a recent breaking version or a deletion. */
  readonly impact?: Impact;
}

interface EdgeRow {
  downstream: string;
  downstream_column: string;
  upstream: string;
  upstream_column: string;
  job: string;
}

async function incomingByKey(
  keys: readonly string[],
  reader: Reader,
): Promise<Map<string, PropagatedColumns>> {
  const edges = await reader.rows<EdgeRow>(
    `SELECT downstream, downstream_column, upstream, upstream_column, min(job) AS job
       FROM lineage_column_edges
      WHERE active AND downstream = ANY($1::text[]) AND upstream <> downstream
      GROUP BY 1, 2, 3, 4`,
    [keys],
  );
  const upstreamUrns = [...new Set(edges.map((e) => e.upstream))];
  const published = upstreamUrns.length
    ? await reader.rows<{
        urn: string;
        columns: { name: string; classes: UpstreamClass[] }[];
      }>(`SELECT urn, columns FROM asset_compliance WHERE urn = ANY($1::text[])`, [upstreamUrns])
    : [];
  const upstream = new Map(
    published.map((row) => [row.urn, new Map(row.columns.map((c) => [c.name, c.classes]))]),
  );
  const byKey = Map.groupBy(edges, (e) => e.downstream);
  return new Map(
    keys.map((key) => {
      const into: IncomingEdge[] = (byKey.get(key) ?? []).map((e) => ({
        upstream: e.upstream,
        upstreamColumn: e.upstream_column,
        downstreamColumn: e.downstream_column,
        job: e.job,
      }));
      return [key, incomingClasses(key, into, upstream)];
    }),
  );
}

async function downstreamByKey(keys: readonly string[], reader: Reader): Promise<Map<string, string[]>> {
  const rows = await reader.rows<{ upstream: string; downstream: string }>(
    `SELECT DISTINCT upstream, downstream FROM lineage_column_edges
      WHERE active AND upstream = ANY($1::text[]) AND downstream <> upstream
      ORDER BY upstream, downstream`,
    [keys],
  );
  const byKey = Map.groupBy(rows, (r) => r.upstream);
  return new Map([...byKey].map(([key, list]) => [key, list.map((r) => r.downstream)]));
}

async function impactByKey(keys: readonly string[], reader: Reader): Promise<Map<string, Impact>> {
  const [versions, deleted] = await Promise.all([
    reader.rows<{ urn: string; version: number; occurred_at: Date; diff: { changes?: unknown[] } }>(
      `SELECT urn, version, occurred_at, diff FROM schema_versions
        WHERE urn = ANY($1::text[]) AND breaking AND recorded_at > now() - interval '${BREAKING_WINDOW}'
        ORDER BY urn, version DESC`,
      [keys],
    ),
    reader.rows<{ urn: string }>(`SELECT urn FROM assets WHERE urn = ANY($1::text[]) AND deleted`, [keys]),
  ]);
  const roots = [...new Set([...versions.map((v) => v.urn), ...deleted.map((d) => d.urn)])];
  if (!roots.length) return new Map();
  const reached = await reader.rows<{ root: string; urn: string; depth: number; owners: string[] }>(
    `WITH RECURSIVE walk(root, urn, depth) AS (
       SELECT r, r, 0 FROM unnest($1::text[]) AS r
       UNION
       SELECT w.root, e.downstream, w.depth + 1 FROM walk w
         JOIN lineage_edges e ON e.upstream = w.urn AND e.active
        WHERE w.depth < $2)
     SELECT w.root, w.urn, min(w.depth)::int AS depth, coalesce(a.owners, '{}') AS owners
       FROM walk w LEFT JOIN assets a ON a.urn = w.urn
      WHERE w.urn <> w.root AND NOT coalesce(a.deleted, false)
      GROUP BY w.root, w.urn, a.owners
      ORDER BY w.root, depth, w.urn`,
    [roots, IMPACT_DEPTH],
  );
  const walks = Map.groupBy(reached, (r) => r.root);
  const breaking = Map.groupBy(versions, (v) => v.urn);
  return new Map(
    roots.map((root) => {
      const all = walks.get(root) ?? [];
      return [
        root,
        {
          breaking: (breaking.get(root) ?? []).map((v) => ({
            version: v.version,
            occurredAt: v.occurred_at.toISOString(),
            reasons: breakingReasons(v.diff),
          })),
          downstream: all
            .slice(0, IMPACT_LIMIT)
            .map((r) => ({ urn: r.urn, depth: r.depth, owners: r.owners })),
          truncated: all.length > IMPACT_LIMIT,
        },
      ];
    }),
  );
}

/** The diff's breaking changes as lines (schema-diff.ts's `reason`, prefixed with what and which column). */
function breakingReasons(diff: { changes?: unknown[] }): string[] {
  const lines: string[] = [];
  for (const change of diff.changes ?? []) {
    if (typeof change !== 'object' || change === null) continue;
    const c = change as { kind?: unknown; column?: unknown; breaking?: unknown; reason?: unknown };
    if (c.breaking !== true) continue;
    lines.push(`${String(c.kind)} ${String(c.column)}: ${String(c.reason)}`);
  }
  return lines;
}

export async function loadComplianceContext(
  keys: readonly string[],
  reader: Reader,
): Promise<ReadonlyMap<string, ComplianceContext>> {
  const [policies, incoming, downstream, impact] = await Promise.all([
    loadPolicies(reader),
    incomingByKey(keys, reader),
    downstreamByKey(keys, reader),
    impactByKey(keys, reader),
  ]);
  return new Map(
    keys.map((key) => {
      const found = impact.get(key);
      return [
        key,
        {
          ...policies,
          incoming: incoming.get(key) ?? {},
          downstream: downstream.get(key) ?? [],
          ...(found && { impact: found }),
        },
      ];
    }),
  );
}
