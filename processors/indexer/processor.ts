/**
 * indexer: keeps one full document per asset in Elasticsearch, written through the alias with
 * `version_type=external_gte` at the asset's document revision (the sum of its parts' revisions, see
 * sources.ts). Each record on the assets, compliance or quality topic is a notice that a part of an
 * asset's document changed: the indexer reads the asset's current source from
 * PostgreSQL (sources.ts, its `lookup`, once per batch) and writes the document built from it, so the
 * document always carries every part any writer committed, at the revision that covers them. A deleted
 * asset deletes its document at the revision it was deleted at.
 *
 * Its state per URN is the highest revision it has indexed and whether that was a delete, kept in
 * PostgreSQL with the ledger. When PostgreSQL is at that revision or older, nothing is written: a
 * duplicate or a late notice never regresses a document, and never re-creates a deleted one, even after
 * Elasticsearch has forgotten the delete (`index.gc_deletes`); PostgreSQL does not forget. `handle` is pure.
 */
import { aliasName } from '../../src/domain/asset-document.ts';
import {
  define,
  type HandleResult,
  type InputEvent,
  type ProcessorDefinition,
} from '../../src/domain/processor.ts';
import type { TopicDeclaration } from '../../src/domain/topic.ts';
import { assets, compliance, quality } from '../../topics/index.ts';
import { acceptAssetEvent, type AssetInput } from '../metadata-sync/asset-event.ts';
import { documentWrite, loadAssetSources, type AssetSource } from './sources.ts';

/**
 * An assets-topic record (an asset's state, or the tombstone that follows its deleted state), or a notice
 * that another part of the document changed (a record on the compliance or quality topic).
 */
export type IndexerInput = AssetInput | { readonly notice: string };

/** The highest revision indexed for a URN, and whether it was a delete. */
export type IndexerState = { readonly revision: number; readonly deleted: boolean };

export function handleAsset(
  event: InputEvent<IndexerInput>,
  state: IndexerState | undefined,
  source: AssetSource | undefined,
  index: string,
): HandleResult<IndexerState> {
  // Not in the catalog (metadata-sync commits before it emits, so only a row removed by hand): nothing
  // to index. reconcile removes a document PostgreSQL does not know.
  if (!source) return {};
  if (state && source.revision <= state.revision) return {};
  return {
    state: { revision: source.revision, deleted: source.deleted },
    effects: { documents: [documentWrite(index, source)] },
  };
}

/**
 * The processor, writing through `index` (the alias `<prefix>-assets`; the prefix is config). Tests bind
 * it to a copy of the assets topic with a unique name and to their own alias.
 */
export function indexer(
  topics: { readonly input: TopicDeclaration; readonly notices?: readonly TopicDeclaration[] } = {
    input: assets,
    notices: [compliance, quality],
  },
  index: string = aliasName('steward'),
): ProcessorDefinition<IndexerInput, IndexerState, AssetSource> {
  const { input } = topics;
  return define<IndexerInput, IndexerState, AssetSource>({
    name: 'indexer',
    group: 'steward.indexer',
    consumes: [input, ...(topics.notices ?? [])],
    produces: [],
    idempotency: 'ledger',
    // A notice's value is not read: the document is rebuilt from PostgreSQL, where its writer committed it.
    accept: (value, topic, key) =>
      topic.name === input.name ? acceptAssetEvent(value, key) : { ok: true, value: { notice: topic.name } },
    lookup: (urns, reader) => loadAssetSources(reader, urns),
    handle: (event, state, source) => handleAsset(event, state, source, index),
  });
}
