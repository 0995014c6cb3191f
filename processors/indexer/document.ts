/**
 * The asset index document of one AssetEvent (the value of the assets topic). Pure: no clock, no I/O.
 * Identifiers are split into words here (src/domain/identifiers.ts), because core Elasticsearch has no
 * word-delimiter analyzer. Not indexed: column tags and profile statistics (the mapping has no field for
 * them) and `placeholder` (a placeholder is searchable like any asset).
 *
 * Classes (each column's effective ones: confirmed, or inferred with confidence and not rejected),
 * sensitivity and violations come from compliance's row, the score, band and dimensions from quality's;
 * without them the document carries neutral values (no classes, sensitivity `none`, band `unknown`, no
 * violations). `stale` is metadata-sync's mark (set by the metadata-resync sweep). `schemaChangedAt` and
 * `freshUntil` are absent: the AssetEvent does not carry when its schema version was recorded.
 */
import type {
  AssetColumnDocument,
  AssetDocument,
  QualityBand,
  Sensitivity,
} from '../../src/domain/asset-document.ts';
import { searchableWords } from '../../src/domain/identifiers.ts';
import type { AssetEvent, AssetEventColumn } from '../metadata-sync/asset-event.ts';

/** compliance's part of the document, as PostgreSQL has it (asset_compliance and open violations). */
export interface CompliancePart {
  readonly columns: readonly {
    readonly name: string;
    readonly classes: readonly { readonly class: string; readonly effective: boolean }[];
  }[];
  readonly sensitivity: Sensitivity;
  readonly openViolations: number;
  readonly worstSeverity: string | null;
  readonly openPolicies: readonly string[];
}

/** quality's part (asset_quality). */
export interface QualityPart {
  readonly score: number | null;
  readonly band: Exclude<QualityBand, 'unknown'> | null;
  readonly dimensions: Readonly<Record<string, number | null>>;
}

export interface DocumentParts {
  readonly compliance?: CompliancePart | null;
  readonly quality?: QualityPart | null;
}

function columnDocument(column: AssetEventColumn, classes: readonly string[]): AssetColumnDocument {
  return {
    name: column.name,
    words: searchableWords([column.name]),
    type: column.type,
    classes,
    ...(column.description === null ? {} : { description: column.description }),
  };
}

const effectiveByColumn = (part: CompliancePart | null | undefined): Map<string, string[]> =>
  new Map(
    (part?.columns ?? []).map((c) => [c.name, c.classes.filter((k) => k.effective).map((k) => k.class)]),
  );

function qualityOf(part: QualityPart | null | undefined): AssetDocument['quality'] {
  if (!part || part.score === null || part.band === null) return { band: 'unknown', dimensions: {} };
  const dimensions = Object.fromEntries(
    Object.entries(part.dimensions).filter((e): e is [string, number] => e[1] !== null),
  );
  return { score: part.score, band: part.band, dimensions };
}

export function toDocument(event: AssetEvent, parts: DocumentParts = {}): AssetDocument {
  const classes = effectiveByColumn(parts.compliance);
  const compliance = parts.compliance;
  return {
    urn: event.urn,
    platform: event.platform,
    instance: event.instance,
    type: event.type,
    name: event.name,
    nameWords: searchableWords([event.name]),
    qualifiedName: event.qualifiedName,
    ...(event.description === null ? {} : { description: event.description }),
    owners: [...event.owners],
    tags: [...event.tags],
    columns: event.columns.map((c) => columnDocument(c, classes.get(c.name) ?? [])),
    // The classes of the catalog's columns; an asset with none reported (a placeholder known from
    // lineage) has those of every column compliance judged, e.g. classes propagated along lineage.
    classes: [
      ...new Set(
        event.columns.length
          ? event.columns.flatMap((c) => classes.get(c.name) ?? [])
          : [...classes.values()].flat(),
      ),
    ].sort(),
    sensitivity: compliance?.sensitivity ?? 'none',
    quality: qualityOf(parts.quality),
    violations: {
      open: compliance?.openViolations ?? 0,
      openPolicies: [...(compliance?.openPolicies ?? [])],
      status: compliance?.openViolations ? 'open' : 'none',
      ...(compliance?.worstSeverity ? { worstSeverity: compliance.worstSeverity } : {}),
    },
    deleted: event.deleted,
    revision: event.revision,
    updatedAt: event.updatedAt,
    ...(event.lastModifiedAt === null ? {} : { lastModifiedAt: event.lastModifiedAt }),
    stale: event.stale,
  };
}
