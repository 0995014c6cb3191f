/**
 * The asset index's source of truth: PostgreSQL. An asset's document is built from the catalog row
 * (`assets`: its document revision and deleted flag) and metadata-sync's merged state, read together in
 * one statement, so the document and its revision always belong to the same committed state. The indexer
 * reads it per batch (its `lookup`) and `steward reindex`/`reconcile` page through it: both write the same
 * document at the same version.
 *
 * `assets.revision` is the per-asset document revision: every writer of any part of the document bumps it
 * in its own transaction (metadata-sync on every change it merges; quality and compliance when they land),
 * so a document written at it is never older than one written at a lower revision.
 */
import type { AssetDocument } from '../../src/domain/asset-document.ts';
import type { DocumentWrite, Reader } from '../../src/domain/processor.ts';
import { toAssetEvent, type SyncState } from '../metadata-sync/asset-event.ts';
import { toDocument } from './document.ts';

/** One asset as PostgreSQL has it now. */
export interface AssetSource {
  readonly urn: string;
  /** `assets.revision`: the version its document is written at. */
  readonly revision: number;
  readonly deleted: boolean;
  readonly sync: SyncState;
}

type SourceRow = { urn: string; revision: string; deleted: boolean; state: SyncState };

const SELECT_SOURCES = `
  SELECT a.urn, a.revision::text AS revision, a.deleted, s.state
    FROM assets a
    JOIN steward_state s ON s.processor = 'metadata-sync' AND s.key = a.urn`;

const toSource = (row: SourceRow): AssetSource => ({
  urn: row.urn,
  revision: Number(row.revision),
  deleted: row.deleted,
  sync: row.state,
});

/** The sources of `urns` (absent: not in the catalog). */
export async function loadAssetSources(
  reader: Reader,
  urns: readonly string[],
): Promise<Map<string, AssetSource>> {
  const rows = await reader.rows<SourceRow>(`${SELECT_SOURCES} WHERE a.urn = ANY($1::text[])`, [urns]);
  return new Map(rows.map((row) => [row.urn, toSource(row)]));
}

/** Every source, in pages ordered by URN (keyset pagination: no long transaction). */
export async function* pageAssetSources(reader: Reader, pageSize: number): AsyncGenerator<AssetSource[]> {
  let after = '';
  for (;;) {
    const rows = await reader.rows<SourceRow>(`${SELECT_SOURCES} WHERE a.urn > $1 ORDER BY a.urn LIMIT $2`, [
      after,
      pageSize,
    ]);
    if (!rows.length) return;
    yield rows.map(toSource);
    after = rows[rows.length - 1]?.urn ?? after;
    if (rows.length < pageSize) return;
  }
}

/** The full document of a source. Pure. */
export function documentOf(source: AssetSource): AssetDocument {
  return { ...toDocument(toAssetEvent(source.sync)), revision: source.revision };
}

/** The write that makes the index agree with a source: its document, or its delete, at its revision. */
export function documentWrite(index: string, source: AssetSource): DocumentWrite {
  return {
    index,
    id: source.urn,
    version: source.revision,
    document: source.deleted ? null : documentOf(source),
  };
}
