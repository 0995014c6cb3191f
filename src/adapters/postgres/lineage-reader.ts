import type pg from 'pg';
import type { Direction, LineageGraph as EdgeGraph } from '../../lineage/graph.ts';
import { guarded } from './guarded.ts';
import { EDGE_SELECT, toGraphEdge, type EdgeRow, type LineageGraphSource } from './lineage-graph.ts';

/**
 * The API's reads of the lineage graph (migrations/…_lineage.sql), active edges only. Walks (and the edges
 * among the assets found) come from the in-memory graph when a source holds one (lineage-graph.ts), else
 * from one recursive query bounded by depth (cycles cannot loop: a node is expanded once per depth). Both
 * are bounded by a node limit, past which the answer says it was truncated. Catalog rows and column edges
 * are read from PostgreSQL.
 */

export type { Direction } from '../../lineage/graph.ts';

export interface LineageNode {
  readonly urn: string;
  /** Hops from the asset asked about (0 for itself). */
  readonly depth: number;
  readonly direction: Direction | 'self';
  /** From the catalog; absent when the catalog has never heard of it. */
  readonly name?: string;
  readonly platform?: string;
  readonly placeholder?: boolean;
  readonly deleted?: boolean;
  readonly owners?: readonly string[];
}

export interface LineageEdge {
  readonly upstream: string;
  readonly downstream: string;
  readonly jobs: readonly string[];
  readonly lastSeen: string;
}

export interface ColumnLineageEdge {
  readonly upstream: string;
  readonly upstreamColumn: string;
  readonly downstream: string;
  readonly downstreamColumn: string;
  readonly jobs: readonly string[];
}

export interface LineageGraph {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
  readonly columns?: readonly ColumnLineageEdge[];
  /** More nodes were reachable within the depth than the limit returns. */
  readonly truncated: boolean;
}

export interface LineageReader {
  /** Whether any active edge touches the URN. */
  known(urn: string): Promise<boolean>;
  graph(
    urn: string,
    options: { directions: readonly Direction[]; depth: number; limit: number; columns: boolean },
  ): Promise<LineageGraph>;
  /** The URNs reachable from `urn` in one direction (itself excluded), at most `limit`; `truncated` if more. */
  reachable(
    urn: string,
    direction: Direction,
    options: { depth: number; limit: number },
  ): Promise<{ urns: string[]; truncated: boolean }>;
}

const walkSql = (direction: Direction): string => {
  const [from, to] = direction === 'downstream' ? ['upstream', 'downstream'] : ['downstream', 'upstream'];
  return `WITH RECURSIVE walk(urn, depth) AS (
            SELECT $1::text, 0
            UNION
            SELECT e.${to}, w.depth + 1 FROM walk w
              JOIN lineage_edges e ON e.${from} = w.urn AND e.active
             WHERE w.depth < $2)
          SELECT urn, min(depth)::int AS depth FROM walk WHERE urn <> $1
           GROUP BY urn ORDER BY depth, urn COLLATE "C" LIMIT $3`;
};

type Walk = (
  urn: string,
  direction: Direction,
  depth: number,
  limit: number,
) => Promise<{ rows: { urn: string; depth: number }[]; truncated: boolean }>;

export function lineageReader(pool: pg.Pool, graphs?: LineageGraphSource): LineageReader {
  const sqlWalk: Walk = async (urn, direction, depth, limit) => {
    const { rows } = await pool.query<{ urn: string; depth: number }>(walkSql(direction), [
      urn,
      depth,
      limit + 1,
    ]);
    return { rows: rows.slice(0, limit), truncated: rows.length > limit };
  };
  const memoryWalk =
    (graph: EdgeGraph): Walk =>
    (urn, direction, depth, limit) => {
      const { reached, truncated } = graph.walk(urn, direction, depth, limit);
      return Promise.resolve({ rows: reached, truncated });
    };
  const current = async (): Promise<EdgeGraph | undefined> => (graphs ? graphs.current() : undefined);
  const sqlEdges = async (urns: string[]): Promise<LineageEdge[]> => {
    const { rows } = await pool.query<EdgeRow>(
      `${EDGE_SELECT} AND upstream = ANY($1) AND downstream = ANY($1)
        GROUP BY upstream, downstream ORDER BY upstream COLLATE "C", downstream COLLATE "C"`,
      [urns],
    );
    return rows.map(toGraphEdge);
  };
  return {
    known: (urn) =>
      guarded(async () => {
        const graph = await current();
        if (graph) return graph.has(urn);
        const { rowCount } = await pool.query(
          `SELECT 1 FROM lineage_edges WHERE active AND (upstream = $1 OR downstream = $1) LIMIT 1`,
          [urn],
        );
        return (rowCount ?? 0) > 0;
      }),
    reachable: (urn, direction, options) =>
      guarded(async () => {
        const graph = await current();
        const walk = graph ? memoryWalk(graph) : sqlWalk;
        const { rows, truncated } = await walk(urn, direction, options.depth, options.limit);
        return { urns: rows.map((r) => r.urn), truncated };
      }),
    graph: (urn, options) =>
      guarded(async () => {
        const graph = await current();
        const walk = graph ? memoryWalk(graph) : sqlWalk;
        const found = new Map<string, { depth: number; direction: Direction | 'self' }>([
          [urn, { depth: 0, direction: 'self' }],
        ]);
        // Each direction at once (in SQL: each on its own connection).
        const walks = await Promise.all(
          options.directions.map(async (direction) => ({
            direction,
            ...(await walk(urn, direction, options.depth, options.limit)),
          })),
        );
        let truncated = false;
        for (const { direction, rows, truncated: cut } of walks) {
          truncated ||= cut;
          for (const row of rows)
            if (!found.has(row.urn)) found.set(row.urn, { depth: row.depth, direction });
        }
        const urns = [...found.keys()];
        const [{ rows: assets }, edges, columns] = await Promise.all([
          pool.query<{
            urn: string;
            name: string;
            platform: string;
            placeholder: boolean;
            deleted: boolean;
            owners: string[];
          }>(`SELECT urn, name, platform, placeholder, deleted, owners FROM assets WHERE urn = ANY($1)`, [
            urns,
          ]),
          graph ? graph.edgesAmong(new Set(urns)) : sqlEdges(urns),
          options.columns
            ? pool.query<{
                upstream: string;
                upstream_column: string;
                downstream: string;
                downstream_column: string;
                jobs: string[];
              }>(
                `SELECT upstream, upstream_column, downstream, downstream_column, array_agg(job ORDER BY job) AS jobs
                   FROM lineage_column_edges WHERE active AND upstream = ANY($1) AND downstream = ANY($1)
                  GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
                [urns],
              )
            : undefined,
        ]);
        const catalog = new Map(assets.map((a) => [a.urn, a]));
        return {
          nodes: urns.map((u): LineageNode => {
            const a = catalog.get(u);
            const where = found.get(u) ?? { depth: 0, direction: 'self' as const };
            return {
              urn: u,
              ...where,
              ...(a && {
                name: a.name,
                platform: a.platform,
                placeholder: a.placeholder,
                deleted: a.deleted,
                owners: a.owners,
              }),
            };
          }),
          edges: edges.map(({ upstream, downstream, jobs, lastSeen }) => ({
            upstream,
            downstream,
            jobs,
            lastSeen,
          })),
          ...(columns && {
            columns: columns.rows.map((c) => ({
              upstream: c.upstream,
              upstreamColumn: c.upstream_column,
              downstream: c.downstream,
              downstreamColumn: c.downstream_column,
              jobs: c.jobs,
            })),
          }),
          truncated,
        };
      }),
  };
}
