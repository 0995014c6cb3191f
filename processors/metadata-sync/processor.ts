/**
 * metadata-sync: merges each change event into its asset's state (merge.ts) and, when something changed,
 * writes in one PostgreSQL transaction with the state and the ledger: the asset's flat row (`assets`), a
 * schema version with its diff when the columns changed (`schema_versions`), and an outbox row that the
 * runtime relays to the assets topic after the commit (the AssetState; once deleted, the deleted
 * AssetState with its revision, then a tombstone so compaction drops the key).
 * A duplicate or stale event changes nothing: no state, no rows, no emit. `handle` is pure.
 *
 * It also takes `mark-stale` commands (the metadata-resync sweep, on steward.commands.v1; commands for
 * other processors are ignored): an asset not reported within the expected interval as of the sweep's
 * slot is marked stale (`assets.stale_since`, `stale` on the assets topic and in its document) unless a
 * report arrived meanwhile; the next report within that interval clears the mark.
 *
 * And `curate` commands (the API's PATCH /v1/assets/{urn}, src/domain/curation.ts): a steward's owners,
 * tags, description and retention, kept as the `curated` aspect that change events never overwrite; and
 * `placeholder` commands (the lineage processor): a dataset seen only in lineage becomes an identity-only
 * asset (`placeholder: true`) until a source reports it, which then takes precedence.
 */
import { acceptChangeEvent } from '../../src/contract/accept.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import {
  parseMarkStale,
  parsePlaceholder,
  type Command,
  type MarkStale,
  type PlaceholderCommand,
} from '../../src/domain/command.ts';
import { CURATE, parseCurate, type Curate } from '../../src/domain/curation.ts';
import {
  define,
  type Accepted,
  type Emit,
  type HandleResult,
  type InputEvent,
  type ProcessorDefinition,
  type RowWrite,
} from '../../src/domain/processor.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { isOverdue } from '../../src/domain/staleness.ts';
import { assets, changes, commands } from '../../topics/index.ts';
import { isDeleted } from './aspects.ts';
import { toAssetEvent, type SyncState } from './asset-event.ts';
import { mergeChange, mergeCuration, mergePlaceholder, toAssetRecord } from './merge.ts';
import { diffSchemas } from './schema-diff.ts';

export type { SyncState } from './asset-event.ts';

export const ASSETS_TABLE = 'assets';
export const SCHEMA_VERSIONS_TABLE = 'schema_versions';

/**
 * The `assets` row of a state: jsonb as JSON text (pg would send an object as-is, arrays as PG arrays).
 * `revision` is the catalog's part of the document revision (indexer/sources.ts adds compliance's and
 * quality's): it is counted up in SQL, not copied from this state (whose own revision counts
 * metadata-sync's merges only), so a bump made outside a merge is never overwritten.
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
      stale_since: state.stale?.since ?? null,
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
  // A late event from before the asset went stale changes it, but is no report within the interval.
  const stale = state?.stale;
  const reportedAt = new Date(toAssetRecord(merged.state).updated_stamp.occurredAt);
  const next: SyncState = {
    asset: merged.state,
    schemaVersion: merged.schemaChanged ? previousVersion + 1 : previousVersion,
    ...(stale && isOverdue(reportedAt, stale.expectedMs, new Date(stale.since)) && { stale }),
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

/**
 * Marks the asset stale unless it is unknown, deleted, already stale, or was reported within the
 * interval as of the command's instant (a report that arrived after the sweep looked).
 */
export function handleMarkStale(
  command: MarkStale,
  state: SyncState | undefined,
  output: TopicDeclaration,
): HandleResult<SyncState> {
  if (!state || isDeleted(state.asset) || state.stale) return {};
  const reportedAt = new Date(toAssetRecord(state.asset).updated_stamp.occurredAt);
  if (!isOverdue(reportedAt, command.expectedMs, new Date(command.asOf))) return {};
  const next: SyncState = { ...state, stale: { since: command.asOf, expectedMs: command.expectedMs } };
  return {
    state: next,
    effects: {
      rows: [assetRow(next)],
      emit: [{ topic: output, key: command.urn, value: toAssetEvent(next) }],
    },
  };
}

/** A steward's curation, merged into a known asset; an unknown one is left alone. */
export function handleCurate(
  command: Curate,
  state: SyncState | undefined,
  output: TopicDeclaration,
): HandleResult<SyncState> {
  const merged = mergeCuration(state?.asset, command);
  if (!state || !merged?.changed) return {};
  const next: SyncState = { ...state, asset: merged.state };
  const value = toAssetEvent(next);
  return {
    state: next,
    effects: { rows: [assetRow(next)], emit: [{ topic: output, key: command.urn, value }] },
  };
}

/** A dataset lineage named: an identity-only asset when the URN is unknown; any known one is left alone. */
export function handlePlaceholder(
  command: PlaceholderCommand,
  state: SyncState | undefined,
  output: TopicDeclaration,
): HandleResult<SyncState> {
  if (state) return {};
  const merged = mergePlaceholder(undefined, {
    urn: command.urn,
    at: { occurredAt: command.at, eventId: command.id },
    ...(command.name !== undefined && { name: command.name }),
    ...(command.qualifiedName !== undefined && { qualifiedName: command.qualifiedName }),
  });
  const next: SyncState = { asset: merged.state, schemaVersion: 0 };
  return {
    state: next,
    effects: {
      rows: [assetRow(next)],
      emit: [{ topic: output, key: command.urn, value: toAssetEvent(next) }],
    },
  };
}

const PROCESSOR = 'metadata-sync';

const COMMAND_PARSERS = new Map<
  string,
  (
    command: Command,
  ) => { ok: true; value: MarkStale | Curate | PlaceholderCommand } | { ok: false; reason: string }
>([
  ['mark-stale', parseMarkStale],
  [CURATE, parseCurate],
  ['placeholder', parsePlaceholder],
]);

/** A command for metadata-sync, read; other targets are ignored (not dead-lettered). */
export function acceptCommand(
  value: unknown,
  key: string,
): Accepted<MarkStale | Curate | PlaceholderCommand> {
  const command = value as Command;
  if (command.target !== PROCESSOR) return { ok: false, ignore: true, reason: `for ${command.target}` };
  const parse = COMMAND_PARSERS.get(command.kind);
  if (!parse) return { ok: false, reason: `metadata-sync has no command ${JSON.stringify(command.kind)}` };
  const parsed = parse(command);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  if (parsed.value.urn !== key)
    return {
      ok: false,
      code: 'STW_KEY_MISMATCH',
      reason: `the record key is not the command's urn (${parsed.value.urn})`,
    };
  return parsed;
}

export type SyncInput = ChangeEvent | MarkStale | Curate | PlaceholderCommand;

/**
 * The processor; tests bind it to copies of the topics with unique names (and leave out `commands`
 * unless they send some).
 */
export function metadataSync(
  topics: {
    readonly input: TopicDeclaration;
    readonly output: TopicDeclaration;
    readonly commands?: TopicDeclaration;
  } = { input: changes, output: assets, commands },
): ProcessorDefinition<SyncInput, SyncState> {
  const { input, output, commands: commandTopic } = topics;
  return define<SyncInput, SyncState>({
    name: PROCESSOR,
    group: 'steward.metadata-sync',
    consumes: commandTopic ? [input, commandTopic] : [input],
    produces: [output],
    tables: [ASSETS_TABLE, SCHEMA_VERSIONS_TABLE],
    idempotency: 'ledger',
    accept: (value, topic, key) =>
      commandTopic && topic.name === commandTopic.name
        ? acceptCommand(value, key)
        : acceptChangeEvent(value, key),
    eventId: (e) => e.id,
    handle: (event, state) => {
      const { value } = event;
      if (value.kind === 'mark-stale') return handleMarkStale(value, state, output);
      if (value.kind === 'curate') return handleCurate(value, state, output);
      if (value.kind === 'placeholder') return handlePlaceholder(value, state, output);
      return handleChange({ ...event, value }, state, output);
    },
  });
}
