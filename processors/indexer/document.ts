/**
 * The asset index document of one AssetEvent (the value of the assets topic). Pure: no clock, no I/O.
 * Identifiers are split into words here (src/domain/identifiers.ts), because core Elasticsearch has no
 * word-delimiter analyzer. Not indexed: column tags and profile statistics (the mapping has no field for
 * them) and `placeholder` (a placeholder is searchable like any asset).
 *
 * Classes, sensitivity, quality, violations and `freshUntil` come from the compliance and quality
 * processors, which do not exist yet: until they land the document carries neutral values (no classes,
 * sensitivity `none`, quality band `unknown`, no violations, no `freshUntil`). `stale` is metadata-sync's
 * mark (set by the metadata-resync sweep). `schemaChangedAt` is absent too: the AssetEvent does not carry
 * when its schema version was recorded.
 */
import type { AssetColumnDocument, AssetDocument } from '../../src/domain/asset-document.ts';
import { searchableWords } from '../../src/domain/identifiers.ts';
import type { AssetEvent, AssetEventColumn } from '../metadata-sync/asset-event.ts';

function columnDocument(column: AssetEventColumn): AssetColumnDocument {
  return {
    name: column.name,
    words: searchableWords([column.name]),
    type: column.type,
    classes: [],
    ...(column.description === null ? {} : { description: column.description }),
  };
}

export function toDocument(event: AssetEvent): AssetDocument {
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
    columns: event.columns.map(columnDocument),
    classes: [],
    sensitivity: 'none',
    quality: { band: 'unknown', dimensions: {} },
    violations: { open: 0, openPolicies: [], status: 'none' },
    deleted: event.deleted,
    revision: event.revision,
    updatedAt: event.updatedAt,
    ...(event.lastModifiedAt === null ? {} : { lastModifiedAt: event.lastModifiedAt }),
    stale: event.stale,
  };
}
