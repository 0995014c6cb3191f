/**
 * The active dataset-level lineage graph held in memory, and walks over it. Pure.
 *
 * The API keeps one (src/adapters/postgres/lineage-graph.ts loads it from `lineage_edges` and reloads it
 * when the lineage processor changes the graph) so that a depth-5 walk over hundreds of thousands of
 * edges is a breadth-first search in memory instead of a recursive query. A walk answers what the
 * recursive SQL walk answers: every asset reachable within `depth` hops (the start excluded), each at its
 * shortest distance, nearest first then by URN (code-unit order), at most `limit`, `truncated` past it.
 */

export type Direction = 'upstream' | 'downstream';

export interface GraphEdge {
  readonly upstream: string;
  readonly downstream: string;
  /** The jobs whose latest successful runs name the edge, sorted. */
  readonly jobs: readonly string[];
  /** ISO-8601: the latest time a run named it. */
  readonly lastSeen: string;
}

export interface Reached {
  readonly urn: string;
  readonly depth: number;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class LineageGraph {
  readonly #down = new Map<string, GraphEdge[]>();
  readonly #up = new Map<string, GraphEdge[]>();
  readonly size: number;

  constructor(edges: Iterable<GraphEdge>) {
    let size = 0;
    for (const edge of edges) {
      if (edge.upstream === edge.downstream) continue;
      size++;
      const out = this.#down.get(edge.upstream);
      if (out) out.push(edge);
      else this.#down.set(edge.upstream, [edge]);
      const into = this.#up.get(edge.downstream);
      if (into) into.push(edge);
      else this.#up.set(edge.downstream, [edge]);
    }
    this.size = size;
  }

  /** Whether any active edge touches the URN. */
  has(urn: string): boolean {
    return this.#down.has(urn) || this.#up.has(urn);
  }

  walk(
    urn: string,
    direction: Direction,
    depth: number,
    limit: number,
  ): { reached: Reached[]; truncated: boolean } {
    const next = direction === 'downstream' ? this.#down : this.#up;
    const seen = new Set([urn]);
    const reached: Reached[] = [];
    let frontier = [urn];
    for (let d = 1; d <= depth && frontier.length; d++) {
      const found: string[] = [];
      for (const from of frontier)
        for (const edge of next.get(from) ?? []) {
          const to = direction === 'downstream' ? edge.downstream : edge.upstream;
          if (seen.has(to)) continue;
          seen.add(to);
          found.push(to);
        }
      found.sort(byCodeUnits);
      for (const to of found) reached.push({ urn: to, depth: d });
      // Nearest first: once the limit is passed at this depth, deeper ones would be cut anyway.
      if (reached.length > limit) break;
      frontier = found;
    }
    return { reached: reached.slice(0, limit), truncated: reached.length > limit };
  }

  /** The active edges whose two ends are both in `urns`, by upstream then downstream. */
  edgesAmong(urns: ReadonlySet<string>): GraphEdge[] {
    const edges: GraphEdge[] = [];
    for (const urn of urns)
      for (const edge of this.#down.get(urn) ?? []) if (urns.has(edge.downstream)) edges.push(edge);
    return edges.sort(
      (a, b) => byCodeUnits(a.upstream, b.upstream) || byCodeUnits(a.downstream, b.downstream),
    );
  }
}
