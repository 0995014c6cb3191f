/**
 * The flat `assets` row of an asset state, for PostgreSQL: the current view, one column per field the
 * catalog filters or shows. The aspects themselves stay in the state (jsonb).
 */
import {
  compareStamps,
  isDeleted,
  type AssetState,
  type AssetType,
  type CuratedAspect,
  type SchemaAspect,
  type Stamp,
} from './aspects.ts';
import { schemaFingerprint } from './schema-diff.ts';

/** The `assets` row: the current, flat view of the state. `updated_stamp` is jsonb. */
export type AssetRecord = {
  readonly urn: string;
  readonly platform: string;
  readonly instance: string;
  readonly type: AssetType;
  readonly name: string;
  readonly qualified_name: string;
  readonly description: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly deleted: boolean;
  readonly placeholder: boolean;
  readonly revision: number;
  readonly schema_fingerprint: string | null;
  readonly last_modified_at: string | null;
  readonly updated_stamp: Stamp;
};

/** The schema's fingerprint (schema-diff.ts); undefined when no columns were ever reported. */
export const schemaFingerprintOf = (schema: SchemaAspect | undefined): string | undefined =>
  schema === undefined ? undefined : schemaFingerprint(schema.columns);

const RETENTION_TAG = 'retention:';

/**
 * The asset's tags: the reported ones, then the curated ones not already present; a curated retention
 * replaces every reported `retention:` tag with `retention:<duration>`.
 */
function effectiveTags(reported: readonly string[], curated: CuratedAspect | undefined): string[] {
  const retention = curated?.retention;
  const kept = retention === undefined ? reported : reported.filter((t) => !t.startsWith(RETENTION_TAG));
  const added = [...(curated?.tags ?? []), ...(retention === undefined ? [] : [RETENTION_TAG + retention])];
  return [...kept, ...added.filter((tag) => !kept.includes(tag))];
}

/**
 * The `assets` row of a state. A steward's curated owners and description replace the reported ones;
 * tags are merged (effectiveTags). `updated_stamp` is the newest stamp of what the source reported:
 * curation is not a report, so it never hides that a source went quiet (metadata-resync).
 */
export function toAssetRecord(state: AssetState): AssetRecord {
  const { identity, schema, ownership, lastModified, curated } = state.aspects;
  const reportedTags = ownership?.tags ?? [];
  const { curated: _curated, ...reported } = state.aspects;
  const stamps = Object.values(reported).map((aspect) => aspect.stamp);
  return {
    urn: state.urn,
    platform: identity.platform,
    instance: identity.instance,
    type: identity.type,
    name: identity.name,
    qualified_name: identity.qualifiedName,
    description: curated?.description ?? ownership?.description ?? null,
    owners: curated?.owners ?? ownership?.owners ?? [],
    tags: effectiveTags(reportedTags, curated),
    deleted: isDeleted(state),
    placeholder: state.placeholder,
    revision: state.revision,
    schema_fingerprint: schemaFingerprintOf(schema) ?? null,
    last_modified_at: lastModified?.at ?? null,
    updated_stamp: stamps.reduce((newest, stamp) => (compareStamps(stamp, newest) > 0 ? stamp : newest)),
  };
}
