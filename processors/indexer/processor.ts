/**
 * indexer: keeps one full document per asset in Elasticsearch (written through the alias with
 * `version_type=external_gte` at the asset's revision, by the runtime's document sink) from the assets
 * topic that metadata-sync writes. A deleted asset arrives as its deleted state (with the revision it was
 * deleted at) followed by a tombstone; the deleted state deletes the document at that version, and the
 * tombstone changes nothing.
 *
 * Its state per URN is the highest revision it has indexed and whether that was a delete, kept in
 * PostgreSQL with the ledger. An event at that revision or older changes nothing: a duplicate or a stale
 * state never regresses a document, and never re-creates a deleted one, even after Elasticsearch has
 * forgotten the delete (`index.gc_deletes`); PostgreSQL does not forget. `handle` is pure.
 */
import { aliasName } from '../../src/domain/asset-document.ts';
import {
  define,
  type Accepted,
  type HandleResult,
  type InputEvent,
  type ProcessorDefinition,
} from '../../src/domain/processor.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { assets } from '../../topics/index.ts';
import type { AssetEvent } from '../metadata-sync/asset-event.ts';
import { toDocument } from './document.ts';

/** An assets-topic record: an asset's state, or the tombstone that follows its deleted state. */
export type IndexerInput = AssetEvent | { readonly tombstone: true };

/** The highest revision indexed for a URN, and whether it was a delete. */
export type IndexerState = { readonly revision: number; readonly deleted: boolean };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Checks what the document needs of a decoded AssetState (Avro checked the rest) and its key. */
export function acceptAssetEvent(value: unknown, key: string): Accepted<IndexerInput> {
  if (value === null) return { ok: true, value: { tombstone: true } };
  if (!isRecord(value)) return { ok: false, reason: 'the value is not an AssetState record' };
  const problems: string[] = [];
  for (const field of ['urn', 'platform', 'instance', 'type', 'name', 'qualifiedName', 'updatedAt'])
    if (typeof value[field] !== 'string') problems.push(`${field}: must be a string`);
  const revision = value.revision;
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 1)
    problems.push('revision: must be a positive integer');
  if (typeof value.deleted !== 'boolean') problems.push('deleted: must be a boolean');
  for (const field of ['owners', 'tags', 'columns'])
    if (!Array.isArray(value[field])) problems.push(`${field}: must be an array`);
  if (problems.length) return { ok: false, reason: problems.join('; ') };
  if (value.urn !== key)
    return {
      ok: false,
      code: 'STW_KEY_MISMATCH',
      reason: `the record key is not the asset's urn (${String(value.urn)})`,
    };
  return { ok: true, value: value as AssetEvent };
}

export function handleAsset(
  event: InputEvent<IndexerInput>,
  state: IndexerState | undefined,
  index: string,
): HandleResult<IndexerState> {
  const value = event.value;
  // The deleted state before the tombstone already deleted the document at its revision.
  if ('tombstone' in value) return {};
  if (state && value.revision <= state.revision) return {};
  const { urn, revision, deleted } = value;
  return {
    state: { revision, deleted },
    effects: {
      documents: [{ index, id: urn, version: revision, document: deleted ? null : toDocument(value) }],
    },
  };
}

/**
 * The processor, writing through `index` (the alias `<prefix>-assets`; the prefix is config). Tests bind
 * it to a copy of the assets topic with a unique name and to their own alias.
 */
export function indexer(
  topics: { readonly input: TopicDeclaration } = { input: assets },
  index: string = aliasName('steward'),
): ProcessorDefinition<IndexerInput, IndexerState> {
  const { input } = topics;
  return define<IndexerInput, IndexerState>({
    name: 'indexer',
    group: 'steward.indexer',
    consumes: [input],
    produces: [],
    idempotency: 'ledger',
    accept: (value, _topic, key) => acceptAssetEvent(value, key),
    handle: (event, state) => handleAsset(event, state, index),
  });
}
