import type pg from 'pg';
import { LineageGraph, type GraphEdge } from '../../lineage/graph.ts';

/**
 * The API's in-memory copy of the active lineage graph (src/lineage/graph.ts), kept in step with
 * PostgreSQL by a version the lineage processor bumps in the same transaction as every edge change
 * (`lineage_graph_version`). Before a walk, the version is read (one primary-key read): when it moved,
 * the graph is reloaded (active edges, with the version, in one repeatable-read snapshot; one load at a
 * time, callers share it), so an answer reflects every committed edge change. Under a steady stream of
 * lineage changes reloads are spaced: a graph newer than ten times the last load's duration is served
 * while a reload runs in the background, so walks never wait on reloads more than a tenth of the time.
 *
 * A graph of more than `maxEdges` active edges is not held: `current()` answers undefined and callers
 * walk in SQL instead (checked again at each version change).
 */
export interface LineageGraphSource {
  /** The graph as of the latest committed change (or a moment before, under load); undefined: use SQL. */
  current(): Promise<LineageGraph | undefined>;
}

interface Snapshot {
  readonly version: string;
  readonly graph: LineageGraph | undefined;
  readonly loadedAt: number;
  readonly loadMs: number;
}

/** An active edge as both readers select it: every job naming it, and when it was last seen. */
export const EDGE_SELECT = `SELECT upstream, downstream, array_agg(job ORDER BY job) AS jobs, max(last_seen) AS last_seen
  FROM lineage_edges WHERE active`;

export interface EdgeRow {
  readonly upstream: string;
  readonly downstream: string;
  readonly jobs: string[];
  readonly last_seen: Date;
}

export const toGraphEdge = (r: EdgeRow): GraphEdge => ({
  upstream: r.upstream,
  downstream: r.downstream,
  jobs: r.jobs,
  lastSeen: r.last_seen.toISOString(),
});

const VERSION_SQL = 'SELECT version::text AS version FROM lineage_graph_version WHERE id = 1';

export function lineageGraphSource(
  pool: pg.Pool,
  options: { readonly maxEdges: number },
): LineageGraphSource {
  let snapshot: Snapshot | undefined;
  let loading: Promise<Snapshot> | undefined;

  const load = async (): Promise<Snapshot> => {
    const began = performance.now();
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const version = (await client.query<{ version: string }>(VERSION_SQL)).rows[0]?.version ?? '0';
      const counted = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM lineage_edges WHERE active',
      );
      let graph: LineageGraph | undefined;
      if (Number(counted.rows[0]?.n) <= options.maxEdges) {
        const { rows } = await client.query<EdgeRow>(`${EDGE_SELECT} GROUP BY upstream, downstream`);
        graph = new LineageGraph(rows.map(toGraphEdge));
      }
      await client.query('COMMIT');
      return { version, graph, loadedAt: Date.now(), loadMs: performance.now() - began };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const reload = (): Promise<Snapshot> => {
    loading ??= load()
      .then((loaded) => (snapshot = loaded))
      .finally(() => (loading = undefined));
    return loading;
  };

  return {
    async current() {
      if (options.maxEdges <= 0) return undefined;
      const { rows } = await pool.query<{ version: string }>(VERSION_SQL);
      const version = rows[0]?.version ?? '0';
      if (snapshot?.version === version) return snapshot.graph;
      if (snapshot && Date.now() - snapshot.loadedAt < 10 * snapshot.loadMs) {
        reload().catch(() => undefined);
        return snapshot.graph;
      }
      return (await reload()).graph;
    },
  };
}
