/**
 * Classification propagation along column lineage. Pure.
 *
 * A column derived from a classified column (an active column edge of the lineage graph, maintained by the
 * lineage processor) inherits the upstream column's effective classes as *propagated*, with the path the
 * class travelled as evidence: the upstream columns from where it was first found to the direct parent,
 * each with the job that read it. What propagates further is only what is effective downstream, so a
 * class a steward rejected on a column stops there, and a low-confidence guess never travels.
 *
 * A path never visits a column twice (lineage may have cycles) and is at most MAX_PROPAGATION_HOPS long.
 * When a class arrives on a column by several paths, the shortest one is kept (then the first in order),
 * so the result does not depend on the order edges were read in.
 */
import { isClassId, type ClassId } from './classify/classes.ts';

export const MAX_PROPAGATION_HOPS = 10;

/** One upstream column a propagated class passed through, and the job that read it. */
export interface PathHop {
  readonly urn: string;
  readonly column: string;
  readonly job: string;
}

export interface PropagatedClass {
  readonly class: ClassId;
  /** The confidence the class had where it was first found. */
  readonly confidence: number;
  /** From the column the class was found on to the direct parent; never empty. */
  readonly path: readonly PathHop[];
}

/** By downstream column name, each column's classes sorted by class id. */
export type PropagatedColumns = Readonly<Record<string, readonly PropagatedClass[]>>;

/** An active column edge into the asset being judged. */
export interface IncomingEdge {
  readonly upstream: string;
  readonly upstreamColumn: string;
  readonly downstreamColumn: string;
  readonly job: string;
}

/** A class on an upstream column, as that asset's compliance result published it. */
export interface UpstreamClass {
  readonly class: string;
  readonly confidence: number;
  readonly effective: boolean;
  /** Set when the class was itself propagated to that column. */
  readonly path?: readonly PathHop[] | null;
}

/** Upstream URN → column name → its classes. */
export type UpstreamClasses = ReadonlyMap<string, ReadonlyMap<string, readonly UpstreamClass[]>>;

const hopKey = (urn: string, column: string): string => `${urn}\u0000${column}`;

function acceptable(path: readonly PathHop[], downstream: string, column: string): boolean {
  if (path.length > MAX_PROPAGATION_HOPS) return false;
  const seen = new Set([hopKey(downstream, column)]);
  for (const hop of path) {
    const key = hopKey(hop.urn, hop.column);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/** Shorter first, then by the path's text: a total order, so the choice is stable. */
function better(a: PropagatedClass, b: PropagatedClass): boolean {
  if (a.path.length !== b.path.length) return a.path.length < b.path.length;
  return JSON.stringify(a.path) < JSON.stringify(b.path);
}

/** The classes `downstream`'s columns inherit through `edges`, given each upstream's published classes. */
export function incomingClasses(
  downstream: string,
  edges: readonly IncomingEdge[],
  upstream: UpstreamClasses,
): PropagatedColumns {
  const found = new Map<string, Map<ClassId, PropagatedClass>>();
  for (const edge of edges) {
    const classes = upstream.get(edge.upstream)?.get(edge.upstreamColumn) ?? [];
    for (const k of classes) {
      if (!k.effective || !isClassId(k.class)) continue;
      const path = [...(k.path ?? []), { urn: edge.upstream, column: edge.upstreamColumn, job: edge.job }];
      if (!acceptable(path, downstream, edge.downstreamColumn)) continue;
      const candidate: PropagatedClass = { class: k.class, confidence: k.confidence, path };
      const column = found.get(edge.downstreamColumn) ?? new Map<ClassId, PropagatedClass>();
      const current = column.get(k.class);
      if (!current || better(candidate, current)) column.set(k.class, candidate);
      found.set(edge.downstreamColumn, column);
    }
  }
  return Object.fromEntries(
    [...found.keys()]
      .sort()
      .map((name) => [
        name,
        [...(found.get(name)?.values() ?? [])].sort((a, b) => a.class.localeCompare(b.class)),
      ]),
  );
}

/** Whether two propagated sets say the same (the order is canonical, so their text compares). */
export function samePropagation(a: PropagatedColumns | undefined, b: PropagatedColumns | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}
