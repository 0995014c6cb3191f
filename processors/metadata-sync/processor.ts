/**
 * metadata-sync: merges each change event into its asset's state (merge.ts) and, when something changed,
 * writes in one PostgreSQL transaction with the state and the ledger: the asset's flat row (`assets`), a
 * schema version with its diff when the columns changed (`schema_versions`), and an outbox row that the
 * runtime relays to the assets topic after the commit (the AssetState; once deleted, the deleted
 * AssetState with its revision, then a tombstone so compaction drops the key).
 * A duplicate or stale event changes nothing: no state, no rows, no emit. `handle` is pure.
 */
import { acceptChangeEvent } from '../../src/contract/accept.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import {
  define,
  type Emit,
  type HandleResult,
  type InputEvent,
  type ProcessorDefinition,
  type RowWrite,
} from '../../src/domain/processor.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { assets, changes } from '../../topics/index.ts';
import { toAssetEvent, type SyncState } from './asset-event.ts';
import { mergeChange, toAssetRecord } from './merge.ts';
import { diffSchemas } from './schema-diff.ts';

export type { SyncState } from './asset-event.ts';

export const ASSETS_TABLE = 'assets';
export const SCHEMA_VERSIONS_TABLE = 'schema_versions';

/**
 * The `assets` row of a state: jsonb as JSON text (pg would send an object as-is, arrays as PG arrays).
 * `revision` is the asset's document revision, which other writers bump too: it is counted up in SQL, not
 * copied from this state (whose own revision counts metadata-sync's merges only).
 */
function assetRow(state: SyncState): RowWrite {
  const { urn, updated_stamp, revision, ...record } = toAssetRecord(state.asset);
  return {
    table: ASSETS_TABLE,
    mode: 'upsert',
    key: { urn },
    increment: ['revision'],
    values: {
      ...record,
      owners: [...record.owners],
      tags: [...record.tags],
      updated_stamp: JSON.stringify(updated_stamp),
      schema_version: state.schemaVersion > 0 ? state.schemaVersion : null,
    },
  };
}

/** The new schema version of `next`, diffed against the columns `previous` had (if any). */
function schemaVersionRow(
  previous: SyncState | undefined,
  next: SyncState,
  event: ChangeEvent,
): RowWrite | undefined {
  const after = next.asset.aspects.schema;
  if (after === undefined) return undefined;
  const diff = diffSchemas(previous?.asset.aspects.schema?.columns, after.columns);
  const fingerprint = toAssetRecord(next.asset).schema_fingerprint;
  return {
    table: SCHEMA_VERSIONS_TABLE,
    mode: 'insert',
    key: { urn: next.asset.urn, version: next.schemaVersion },
    values: {
      fingerprint,
      columns: JSON.stringify(after.columns),
      diff: JSON.stringify(diff),
      breaking: diff.breaking,
      occurred_at: after.stamp.occurredAt,
      event_id: event.id,
    },
  };
}

export function handleChange(
  event: InputEvent<ChangeEvent>,
  state: SyncState | undefined,
  output: TopicDeclaration,
): HandleResult<SyncState> {
  const merged = mergeChange(state?.asset, event.value);
  if (!merged.changed) return {};
  const previousVersion = state?.schemaVersion ?? 0;
  const next: SyncState = {
    asset: merged.state,
    schemaVersion: merged.schemaChanged ? previousVersion + 1 : previousVersion,
  };
  const rows = [assetRow(next)];
  const version = merged.schemaChanged ? schemaVersionRow(state, next, event.value) : undefined;
  if (version) rows.push(version);
  const value = toAssetEvent(next);
  const key = next.asset.urn;
  // A delete emits the deleted state first, so readers learn the revision it was deleted at (the indexer
  // deletes the document at that version and refuses older ones), then the tombstone for compaction.
  const emit: Emit[] = [{ topic: output, key, value }];
  if (value.deleted) emit.push({ topic: output, key, value: null });
  return { state: next, effects: { rows, emit } };
}

/** The processor; tests bind it to copies of the topics with unique names. */
export function metadataSync(
  topics: { readonly input: TopicDeclaration; readonly output: TopicDeclaration } = {
    input: changes,
    output: assets,
  },
): ProcessorDefinition<ChangeEvent, SyncState> {
  const { input, output } = topics;
  return define<ChangeEvent, SyncState>({
    name: 'metadata-sync',
    group: 'steward.metadata-sync',
    consumes: [input],
    produces: [output],
    tables: [ASSETS_TABLE, SCHEMA_VERSIONS_TABLE],
    idempotency: 'ledger',
    accept: (value, _topic, key) => acceptChangeEvent(value, key),
    eventId: (e) => e.id,
    handle: (event, state) => handleChange(event, state, output),
  });
}
