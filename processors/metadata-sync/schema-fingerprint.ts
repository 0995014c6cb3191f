/**
 * The columns of one schema in order, normalised for comparison, and the schema's fingerprint: what decides
 * whether a change of columns makes a new schema version (schema-diff.ts says what the change was).
 */
import type { AssetColumn } from '../../src/domain/change-event.ts';
import { normaliseType, type SqlType } from './type-normalise.ts';

export interface OrderedColumn {
  readonly source: AssetColumn;
  readonly type: SqlType;
  /** The source's ordinal, or the 1-based array position when it gives none. */
  readonly ordinal: number;
  /** Index in ordinal order; ties keep the array order. */
  readonly rank: number;
  /** The description; null when absent or blank (`''` and null mean the same: none). */
  readonly description: string | null;
}

export function orderColumns(columns: readonly AssetColumn[]): OrderedColumn[] {
  return columns
    .map((source, index) => ({ source, index, ordinal: source.ordinal ?? index + 1 }))
    .sort((x, y) => x.ordinal - y.ordinal || x.index - y.index)
    .map(({ source, ordinal }, rank) => ({
      source,
      type: normaliseType(source.type),
      ordinal,
      rank,
      description:
        source.description === null || source.description.trim() === '' ? null : source.description,
    }));
}

const utf8 = new TextEncoder();

/** FNV-1a, 64 bits, over UTF-8, as 16 hex digits; two 32-bit halves, the prime being 2^40 + 0x1b3. */
export function fnv1a64(text: string): string {
  let [high, low] = [0xcbf29ce4, 0x84222325];
  for (const byte of utf8.encode(text)) {
    const product = ((low ^ byte) >>> 0) * 0x1b3;
    high = (Math.imul(high, 0x1b3) + ((low ^ byte) << 8) + Math.floor(product / 2 ** 32)) >>> 0;
    low = product >>> 0;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/**
 * A stable hash of what makes a schema version: the columns in ordinal order, each with its exact name,
 * normalised type, nullability and primary key / unique flags (absent reads as false). Not descriptions or
 * tags (diffSchemas reports description edits when a version is made; they never make one), and not the
 * ordinal numbers themselves (renumbering that keeps the order is no change). So equal fingerprints ⇔
 * diffSchemas reports nothing but description changes.
 *
 * The hash is FNV-1a 64 of a canonical JSON form: pure (processors stay importable anywhere, so no
 * node:crypto), not cryptographic (a collision would only hide a version of the producer's own asset), and
 * the `v1-` prefix changes whenever the canonical form or type normalisation changes.
 */
export function schemaFingerprint(columns: readonly AssetColumn[]): string {
  const canonical = orderColumns(columns).map(({ source, type }) => [
    source.name,
    type.canonical,
    source.nullable,
    source.primaryKey === true,
    source.unique === true,
  ]);
  return `v1-${fnv1a64(JSON.stringify(canonical))}`;
}
