/**
 * Schema diff: what changed between two column lists of one asset, and whether it is breaking. metadata-sync
 * creates a schema version when `schemaFingerprint` changes and stores `diffSchemas`'s result with it.
 * Pure and deterministic: no I/O, no clock, no locale (names compare exactly, by UTF-16 code unit; the
 * producer canonicalises them per platform, docs/urns.md).
 *
 * Breaking means: a statement that worked against the old schema can fail against the new one — a reader
 * selecting a column by name, or a writer inserting rows. Sources of the verdicts: Avro/Confluent schema
 * evolution (deleting a field breaks old readers, adding one without a default cannot read old data;
 * int → long is a legal promotion), dbt model contracts (removing a column or changing its data_type is a
 * breaking change) and DataHub's schema history (SchemaMetadataChangeEventGenerator: a removal, a native
 * type change, a primary key added or removed are MAJOR; an addition MINOR; field descriptions belong to
 * DOCUMENTATION, not the technical schema). Types are compared after normalisation (type-normalise.ts).
 *
 * | change                                         | breaking | why                                               |
 * | ---------------------------------------------- | -------- | ------------------------------------------------- |
 * | first version (`before` undefined): all added  | no       | nothing existed to break                          |
 * | added, nullable                                | no       | readers and writers that ignore it still work     |
 * | added, NOT NULL                                | yes      | writers that omit it fail (defaults are unknown)  |
 * | dropped                                        | yes      | readers selecting it fail                         |
 * | renamed (detected as column-match.ts says)     | yes      | readers by name fail (DataHub says MINOR; not us) |
 * | type re-spelt (`int4` → `integer`)             | -        | not a change                                      |
 * | type widened in its family                     | no       | every old value fits                              |
 * | type narrowed in its family                    | yes      | writers of values that no longer fit fail         |
 * | type changed family, or an unknown type        | yes      | conservatively: comparisons and casts may fail    |
 * | nullable → NOT NULL                            | yes      | writers of nulls fail                             |
 * | NOT NULL → nullable                            | no       | nothing fails; readers may now see nulls (*)      |
 * | primary key or unique added                    | yes      | inserts of duplicates fail                        |
 * | primary key or unique removed (true → false)   | yes      | upserts (ON CONFLICT) and keyed joins lose it     |
 * | key flag no longer reported (true → absent)    | no       | absent means unknown, not removed                 |
 * | reordered (same columns, other relative order) | no       | by-name readers are unaffected (**)               |
 * | description changed                            | no       | documentation only, outside the fingerprint       |
 *
 * (*) dbt counts removing a not_null constraint as breaking a contract; Steward follows the statement rule
 * and says so in the reason. (**) `SELECT *` and `INSERT` without a column list do see the new order.
 * Tags are not compared (classification lives elsewhere); absent key flags read as "not a key".
 *
 * Renames and moves: column-match.ts. What makes a new version: schemaFingerprint (schema-fingerprint.ts).
 *
 * Changes are sorted by the column's ordinal (in `after`, or in `before` for a drop), then name, then kind.
 */
import type { AssetColumn } from '../../src/domain/change-event.ts';
import { detectRenames, movedColumns, type ColumnPair } from './column-match.ts';
import { orderColumns, type OrderedColumn } from './schema-fingerprint.ts';
import { compareTypes, type TypeChange } from './type-normalise.ts';

export { schemaFingerprint } from './schema-fingerprint.ts';

export type ColumnChangeKind =
  | 'added'
  | 'dropped'
  | 'renamed'
  | 'type_changed'
  | 'nullability_changed'
  | 'key_changed'
  | 'description_changed'
  | 'reordered';

export interface ColumnChange {
  kind: ColumnChangeKind;
  /** The column's name after the change (its old name for a drop). */
  column: string;
  /** Old and new: type as the source spelt it, nullability, key flag (null: not reported), ordinal, name. */
  from?: string | boolean | number | null;
  to?: string | boolean | number | null;
  previousName?: string;
  breaking: boolean;
  reason: string;
}

export interface SchemaDiff {
  changes: ColumnChange[];
  breaking: boolean;
  summary: string;
}

const KINDS: readonly ColumnChangeKind[] = [
  'added',
  'dropped',
  'renamed',
  'type_changed',
  'nullability_changed',
  'key_changed',
  'description_changed',
  'reordered',
];

const TYPE_REASONS: Record<Exclude<TypeChange, 'same'>, string> = {
  widening: 'widened: every existing value still fits',
  narrowing: 'narrowed: writers of values that no longer fit fail',
  incompatible: 'changed type family: comparisons and casts may fail (conservatively breaking)',
};

function keyChanges(column: string, what: string, from?: boolean, to?: boolean): ColumnChange[] {
  if ((from === true) === (to === true)) return [];
  const [breaking, reason] =
    to === true
      ? [true, `${what} added: inserts of duplicates fail`]
      : to === false
        ? [true, `${what} removed: upserts and joins keyed on it lose their key`]
        : [false, `${what} no longer reported by the source (unknown, not removed)`];
  return [{ kind: 'key_changed', column, from: from ?? null, to: to ?? null, breaking, reason }];
}

/** Changes between one column's two states (same name, or a detected rename). */
function compareColumn(before: OrderedColumn, after: OrderedColumn): ColumnChange[] {
  const [b, a, column] = [before.source, after.source, after.source.name];
  const changes: ColumnChange[] = [];
  const type = compareTypes(before.type, after.type);
  if (type !== 'same') {
    const reason = `${TYPE_REASONS[type]} (${before.type.canonical} → ${after.type.canonical})`;
    const breaking = type !== 'widening';
    changes.push({ kind: 'type_changed', column, from: b.type, to: a.type, breaking, reason });
  }
  if (b.nullable !== a.nullable) {
    const reason = a.nullable
      ? 'now nullable: nothing fails, but readers that assumed a value may now see nulls'
      : 'now NOT NULL: writers of nulls fail';
    changes.push({
      kind: 'nullability_changed',
      column,
      from: b.nullable,
      to: a.nullable,
      breaking: !a.nullable,
      reason,
    });
  }
  changes.push(...keyChanges(column, 'primary key', b.primaryKey, a.primaryKey));
  changes.push(...keyChanges(column, 'unique constraint', b.unique, a.unique));
  const [from, to] = [before.description, after.description];
  if (from !== to) {
    const reason =
      from === null ? 'description added' : to === null ? 'description removed' : 'description edited';
    changes.push({ kind: 'description_changed', column, from, to, breaking: false, reason });
  }
  return changes;
}

function summarise(changes: readonly ColumnChange[]): string {
  const parts = KINDS.flatMap((kind) => {
    const ofKind = changes.filter((change) => change.kind === kind);
    const breaking = ofKind.filter((change) => change.breaking).length;
    const note = breaking === 0 ? '' : breaking === ofKind.length ? ' (breaking)' : ` (${breaking} breaking)`;
    return ofKind.length === 0 ? [] : [`${ofKind.length} ${kind.replace('_', ' ')}${note}`];
  });
  return parts.length === 0 ? 'no changes' : parts.join(', ');
}

interface Entry {
  readonly ordinal: number;
  readonly change: ColumnChange;
}

const byOrder = (x: Entry, y: Entry): number =>
  x.ordinal - y.ordinal ||
  (x.change.column < y.change.column ? -1 : x.change.column > y.change.column ? 1 : 0) ||
  KINDS.indexOf(x.change.kind) - KINDS.indexOf(y.change.kind);

function initialSchema(columns: readonly OrderedColumn[]): SchemaDiff {
  const changes = columns.map(({ source }): ColumnChange => ({
    kind: 'added',
    column: source.name,
    to: source.type,
    breaking: false,
    reason: 'initial schema',
  }));
  const count = `${columns.length} column${columns.length === 1 ? '' : 's'}`;
  return { changes, breaking: false, summary: `initial schema (${count})` };
}

/** The changes from `before` (undefined: there is no earlier version) to `after`; see the module comment. */
export function diffSchemas(
  before: readonly AssetColumn[] | undefined,
  after: readonly AssetColumn[],
): SchemaDiff {
  const next = orderColumns(after);
  if (before === undefined) return initialSchema(next);
  const previous = orderColumns(before);
  const nextByName = new Map(next.map((column) => [column.source.name, column]));
  const previousNames = new Set(previous.map((column) => column.source.name));
  const renames = detectRenames(
    previous.filter((column) => !nextByName.has(column.source.name)),
    next.filter((column) => !previousNames.has(column.source.name)),
  );
  const renamedTo = new Set(renames.values());
  const entries: Entry[] = [];
  const pairs: ColumnPair[] = [];
  for (const old of previous) {
    const { name, type } = old.source;
    const current = nextByName.get(name) ?? renames.get(old);
    if (current === undefined) {
      const reason = 'dropped: readers selecting it fail';
      entries.push({
        ordinal: old.ordinal,
        change: { kind: 'dropped', column: name, from: type, breaking: true, reason },
      });
      continue;
    }
    pairs.push([old, current]);
    const column = current.source.name;
    if (column !== name) {
      const reason = `renamed from ${JSON.stringify(name)} (same type and nullability): readers by name fail`;
      const change: ColumnChange = {
        kind: 'renamed',
        column,
        from: name,
        to: column,
        previousName: name,
        breaking: true,
        reason,
      };
      entries.push({ ordinal: current.ordinal, change });
    }
    entries.push(...compareColumn(old, current).map((change) => ({ ordinal: current.ordinal, change })));
  }
  for (const column of next) {
    const { name, type, nullable } = column.source;
    if (previousNames.has(name) || renamedTo.has(column)) continue;
    const reason = nullable ? 'nullable column added' : 'NOT NULL column added: writers that omit it fail';
    entries.push({
      ordinal: column.ordinal,
      change: { kind: 'added', column: name, to: type, breaking: !nullable, reason },
    });
  }
  for (const [old, current] of movedColumns(pairs)) {
    const reason = 'moved among the other columns: readers by name are unaffected, positional ones are not';
    const change: ColumnChange = {
      kind: 'reordered',
      column: current.source.name,
      from: old.ordinal,
      to: current.ordinal,
      breaking: false,
      reason,
    };
    entries.push({ ordinal: current.ordinal, change });
  }
  const changes = entries.sort(byOrder).map(({ change }) => change);
  return { changes, breaking: changes.some((change) => change.breaking), summary: summarise(changes) };
}
