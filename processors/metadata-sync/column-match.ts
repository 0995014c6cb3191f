/**
 * Matching the columns of two schema versions beyond equal names: renames, and columns that moved.
 *
 * Renames, where detectable. Like DataHub's schema history (same native type and same description make a
 * rename), but stricter, because a wrong guess hides a drop: a dropped and an added column are candidates
 * when their normalised types and nullability are equal and either they share a description, or they share
 * an ordinal and do not carry two different descriptions (a comment stays with a renamed column). They pair
 * only when each is the other's single candidate; any ambiguity leaves a drop and an add.
 *
 * Moves. Of the columns in both versions, the ones whose relative order changed: the fewest whose moves
 * explain the new order (the rest form a longest increasing subsequence and stay put). Columns added or
 * dropped around the others shift ordinals but move nothing.
 */
import type { OrderedColumn } from './schema-fingerprint.ts';

export type ColumnPair = readonly [before: OrderedColumn, after: OrderedColumn];

function isRenameCandidate(before: OrderedColumn, after: OrderedColumn): boolean {
  if (before.type.canonical !== after.type.canonical || before.source.nullable !== after.source.nullable)
    return false;
  return before.description !== null && after.description !== null
    ? before.description === after.description
    : before.ordinal === after.ordinal;
}

/** Dropped column → the added column it was renamed to. */
export function detectRenames(
  dropped: readonly OrderedColumn[],
  added: readonly OrderedColumn[],
): Map<OrderedColumn, OrderedColumn> {
  const renames = new Map<OrderedColumn, OrderedColumn>();
  for (const before of dropped) {
    const candidates = added.filter((after) => isRenameCandidate(before, after));
    const [after] = candidates;
    if (candidates.length === 1 && after && dropped.filter((d) => isRenameCandidate(d, after)).length === 1)
      renames.set(before, after);
  }
  return renames;
}

/** Positions in `sequence` (distinct numbers) of one longest increasing subsequence. */
function longestIncreasing(sequence: readonly number[]): Set<number> {
  const tails: number[] = []; // tails[k]: position of the smallest end of an increasing run of length k + 1
  const previous: number[] = [];
  sequence.forEach((value, position) => {
    let [low, high] = [0, tails.length];
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((sequence[tails[middle] ?? 0] ?? 0) < value) low = middle + 1;
      else high = middle;
    }
    previous[position] = tails[low - 1] ?? -1;
    tails[low] = position;
  });
  const kept = new Set<number>();
  for (let position = tails.at(-1) ?? -1; position >= 0; position = previous[position] ?? -1)
    kept.add(position);
  return kept;
}

/** The pairs (given in the old order) whose column moved relative to the others. */
export function movedColumns(pairs: readonly ColumnPair[]): ColumnPair[] {
  const kept = longestIncreasing(pairs.map(([, after]) => after.rank));
  return pairs.filter((_, position) => !kept.has(position));
}
