import type { Client, estypes } from '@elastic/elasticsearch';
import type pg from 'pg';
import { documentWrite, loadAssetSources, pageAssetSources } from '../../../processors/indexer/sources.ts';
import type { DocumentWrite } from '../../domain/processor.ts';
import { poolReader } from '../postgres/reader.ts';
import { aliasName, assetIndexTemplate, newIndexName, prepareIndexer, templateName } from './asset-index.ts';
import { writeDocuments } from './document-sink.ts';

/**
 * Rebuilding and repairing the asset index from PostgreSQL, the source of truth: every asset the catalog
 * knows, with its document revision and whether it is deleted (processors/indexer/sources.ts, the same
 * read and the same document the indexer writes). There is no `_reindex` on core Elasticsearch, so
 * documents are rebuilt from PostgreSQL.
 *
 * Why no update is lost, even with the pipeline running: every write here and in the indexer is a whole
 * document at `version = revision` with `version_type=external_gte`, so whichever of two writers is older
 * loses (409), in any order; and the indexer writes through the alias, so once the alias has moved, every
 * later change lands in the new index. What changed between the snapshot and the swap went to the old
 * index only; it is in PostgreSQL, though (metadata-sync commits its state before it emits), so the
 * reconcile that follows the swap writes it to the new index before the old one is deleted.
 */

export interface TruthEntry {
  readonly revision: number;
  readonly deleted: boolean;
}

export interface ReconcilePlan {
  /** URNs whose document is missing or older than PostgreSQL's live revision. */
  readonly write: string[];
  /** URNs indexed although deleted or unknown in PostgreSQL. */
  readonly remove: string[];
}

/**
 * What reconciling changes. Pure. `indexed` maps a document's URN to its version (= the revision it was
 * written at). A document newer than PostgreSQL is left alone (it cannot be: PostgreSQL commits first).
 */
export function planReconcile(
  truth: ReadonlyMap<string, TruthEntry>,
  indexed: ReadonlyMap<string, number>,
): ReconcilePlan {
  const write: string[] = [];
  const remove: string[] = [];
  for (const [urn, { revision, deleted }] of truth) {
    if (deleted) continue;
    const version = indexed.get(urn);
    if (version === undefined || version < revision) write.push(urn);
  }
  for (const urn of indexed.keys()) {
    const entry = truth.get(urn);
    if (entry === undefined || entry.deleted) remove.push(urn);
  }
  return { write: write.sort(), remove: remove.sort() };
}

/** Every document of the index (through `index`, an alias or a concrete index): URN → version. */
async function indexedVersions(
  client: Client,
  index: string,
  batchSize: number,
): Promise<Map<string, number>> {
  await client.indices.refresh({ index });
  const versions = new Map<string, number>();
  let after: estypes.SortResults | undefined;
  for (;;) {
    const response = await client.search({
      index,
      size: batchSize,
      _source: false,
      version: true,
      sort: [{ urn: 'asc' }],
      query: { match_all: {} },
      ...(after && { search_after: after }),
    });
    const hits = response.hits.hits;
    for (const hit of hits) if (hit._id !== undefined) versions.set(hit._id, hit._version ?? 0);
    const last = hits[hits.length - 1];
    if (!last?.sort || hits.length < batchSize) return versions;
    after = last.sort;
  }
}

function failIf(failures: readonly { status: number; reason: string; write: DocumentWrite }[]): void {
  const first = failures[0];
  if (first)
    throw new Error(
      `${failures.length} document writes failed; first: ${first.write.id} (${first.status} ${first.reason})`,
    );
}

export interface ReconcileOptions {
  readonly pool: pg.Pool;
  readonly client: Client;
  /** The alias (`aliasName(prefix)`): writes go through it, as the indexer's do. */
  readonly alias: string;
  readonly batchSize?: number;
}

export interface ReconcileResult {
  /** Assets known to PostgreSQL, plus indexed documents PostgreSQL does not know. */
  readonly checked: number;
  readonly written: number;
  readonly deleted: number;
  readonly unchanged: number;
}

/**
 * Makes the index agree with PostgreSQL: a missing or older document of a live asset is rewritten from
 * its state; a document of a deleted or unknown URN is deleted. Safe while the pipeline runs: the index is
 * read before PostgreSQL (anything indexed is then in PostgreSQL at that revision or newer, so a new asset
 * is never taken for an unknown one), and every write and delete is versioned, so a newer document written
 * meanwhile by the indexer wins (409, ignored).
 */
export async function reconcileIndex(options: ReconcileOptions): Promise<ReconcileResult> {
  const { pool, client, alias } = options;
  const batchSize = options.batchSize ?? 500;
  const indexed = await indexedVersions(client, alias, batchSize);
  const reader = poolReader(pool);
  const truth = new Map<string, TruthEntry>();
  for await (const sources of pageAssetSources(reader, batchSize))
    for (const { urn, revision, deleted } of sources) truth.set(urn, { revision, deleted });
  const plan = planReconcile(truth, indexed);

  // Deletes: a deleted asset at its deletion revision; an unknown URN at the version it was seen at.
  const deletes: DocumentWrite[] = plan.remove.map((urn) => ({
    index: alias,
    id: urn,
    version: Math.max(truth.get(urn)?.revision ?? 0, indexed.get(urn) ?? 0),
    document: null,
  }));
  for (let i = 0; i < deletes.length; i += batchSize)
    failIf(await writeDocuments(client, deletes.slice(i, i + batchSize)));

  // Writes: the current source (read again; it may have moved on, even to a delete: then that is written).
  for (let i = 0; i < plan.write.length; i += batchSize) {
    const sources = await loadAssetSources(reader, plan.write.slice(i, i + batchSize));
    failIf(
      await writeDocuments(
        client,
        [...sources.values()].map((source) => documentWrite(alias, source)),
      ),
    );
  }
  await client.indices.refresh({ index: alias });

  const unknown = [...indexed.keys()].filter((urn) => !truth.has(urn)).length;
  const checked = truth.size + unknown;
  return {
    checked,
    written: plan.write.length,
    deleted: plan.remove.length,
    unchanged: checked - plan.write.length - plan.remove.length,
  };
}

export interface ReindexOptions {
  readonly pool: pg.Pool;
  readonly client: Client;
  /** config.elasticsearch.indexPrefix. */
  readonly prefix: string;
  /** Names the new index (`newIndexName(prefix, now)`). */
  readonly now?: Date;
  readonly batchSize?: number;
  /**
   * Awaited after the snapshot is written, before the alias moves: a test seam that widens the window in
   * which changes reach the old index only (the ones the final reconcile must catch up).
   */
  readonly beforeSwap?: (newIndex: string) => Promise<void>;
}

export interface ReindexResult {
  readonly oldIndices: string[];
  readonly newIndex: string;
  /** Live assets written from the snapshot. */
  readonly written: number;
  /** The catch-up after the swap. */
  readonly reconciled: ReconcileResult;
}

/** Writes to a concrete index (the sink's writes require an alias); same versioning as the indexer. */
async function writeSnapshot(client: Client, writes: readonly DocumentWrite[]): Promise<void> {
  if (!writes.length) return;
  const response = await client.bulk({
    operations: writes.flatMap((w) => [
      { index: { _index: w.index, _id: w.id, version: w.version, version_type: 'external_gte' as const } },
      w.document,
    ]),
    refresh: false,
  });
  if (!response.errors) return;
  const failed = response.items.filter((item) => item.index?.error && item.index.status !== 409);
  const first = failed[0]?.index;
  if (first)
    throw new Error(
      `${failed.length} snapshot writes failed; first: ${first._id ?? ''} (${first.status} ${first.error?.reason ?? ''})`,
    );
}

/**
 * Rebuilds the asset index with zero downtime, while the pipeline keeps running: creates a new concrete
 * index from the template, writes every live asset of PostgreSQL into it, moves the alias to it in one
 * atomic `updateAliases` (searches see the old index, then the new one, never neither), reconciles
 * through the alias what changed meanwhile, then deletes the old index(es). See the module comment for why
 * this loses no update.
 */
export async function reindexAssets(options: ReindexOptions): Promise<ReindexResult> {
  const { pool, client, prefix } = options;
  const batchSize = options.batchSize ?? 500;
  const alias = aliasName(prefix);
  await client.indices.putIndexTemplate({ name: templateName(prefix), ...assetIndexTemplate(prefix) });
  const newIndex = newIndexName(prefix, options.now ?? new Date());
  await client.indices.create({ index: newIndex });

  let written = 0;
  for await (const sources of pageAssetSources(poolReader(pool), batchSize)) {
    const writes = sources
      .map((source) => documentWrite(newIndex, source))
      .filter((w) => w.document !== null);
    await writeSnapshot(client, writes);
    written += writes.length;
  }
  await client.indices.refresh({ index: newIndex });
  await options.beforeSwap?.(newIndex);

  const oldIndices = (await client.indices.existsAlias({ name: alias }))
    ? Object.keys(await client.indices.getAlias({ name: alias }))
        .filter((index) => index !== newIndex)
        .sort()
    : [];
  await client.indices.updateAliases({
    actions: [
      { add: { index: newIndex, alias, is_write_index: true } },
      ...oldIndices.map((index) => ({ remove: { index, alias } })),
    ],
  });

  const reconciled = await reconcileIndex({ pool, client, alias, batchSize });
  if (oldIndices.length) await client.indices.delete({ index: oldIndices });
  return { oldIndices, newIndex, written, reconciled };
}

/**
 * prepareIndexer, and when that created the index (a new Elasticsearch, a deleted index) while PostgreSQL
 * already holds a catalog, a fill of it from PostgreSQL, started in the background: without it the index
 * would stay empty until each asset changes or the daily index-reconcile runs. The fill writes at each
 * asset's revision, so it may race the indexer.
 */
export async function openAssetIndex(
  client: Client,
  prefix: string,
  pool: pg.Pool,
): Promise<{ alias: string; created: boolean; filled?: Promise<ReconcileResult> }> {
  const { alias, created } = await prepareIndexer(client, prefix);
  return created ? { alias, created, filled: reconcileIndex({ pool, client, alias }) } : { alias, created };
}
