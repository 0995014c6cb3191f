/**
 * The asset index's source of truth: PostgreSQL. An asset's document is built from the catalog row
 * (`assets`: its revision and deleted flag), metadata-sync's merged state, compliance's row
 * (`asset_compliance`, with the asset's open violations) and quality's (`asset_quality`), read together
 * in one statement, so the document and its revision always belong to the same committed state. The indexer
 * reads it per batch (its `lookup`) and `steward reindex`/`reconcile` page through it: both write the same
 * document at the same version.
 *
 * The document revision is the sum of the parts' revisions (assets, asset_compliance, asset_quality).
 * Each writer bumps only its own part's, in its own transaction, and none ever goes down, so the sum
 * moves forward with every committed change of any part: a document written at it is never older than
 * one written at a lower revision. No processor writes another's table.
 */
import type { AssetDocument } from '../../src/domain/asset-document.ts';
import type { DocumentWrite, Reader } from '../../src/domain/processor.ts';
import { toAssetEvent, type SyncState } from '../metadata-sync/asset-event.ts';
import { toDocument, type CompliancePart, type QualityPart } from './document.ts';

/** One asset as PostgreSQL has it now. */
export interface AssetSource {
  readonly urn: string;
  /** `assets.revision`: the version its document is written at. */
  readonly revision: number;
  readonly deleted: boolean;
  readonly sync: SyncState;
  readonly compliance: CompliancePart | null;
  readonly quality: QualityPart | null;
}

type SourceRow = {
  urn: string;
  revision: string;
  deleted: boolean;
  state: SyncState;
  compliance: CompliancePart | null;
  quality: QualityPart | null;
};

const SELECT_SOURCES = `
  SELECT a.urn, (a.revision + coalesce(c.revision, 0) + coalesce(q.revision, 0))::text AS revision,
         a.deleted, s.state,
         CASE WHEN c.urn IS NULL THEN NULL ELSE jsonb_build_object(
           'columns', c.columns, 'sensitivity', c.sensitivity, 'openViolations', c.open_violations,
           'worstSeverity', c.worst_severity,
           'openPolicies', to_jsonb(ARRAY(SELECT v.policy_id FROM violations v
                                           WHERE v.urn = a.urn AND v.status = 'open' ORDER BY v.policy_id)))
         END AS compliance,
         CASE WHEN q.urn IS NULL THEN NULL ELSE jsonb_build_object(
           'score', q.score, 'band', q.band, 'dimensions', q.dimensions, 'scoredAt', q.scored_at)
         END AS quality
    FROM assets a
    JOIN steward_state s ON s.processor = 'metadata-sync' AND s.key = a.urn
    LEFT JOIN asset_compliance c ON c.urn = a.urn
    LEFT JOIN asset_quality q ON q.urn = a.urn`;

const toSource = (row: SourceRow): AssetSource => ({
  urn: row.urn,
  revision: Number(row.revision),
  deleted: row.deleted,
  sync: row.state,
  compliance: row.compliance,
  quality: row.quality,
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
  return {
    ...toDocument(toAssetEvent(source.sync), { compliance: source.compliance, quality: source.quality }),
    revision: source.revision,
  };
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
