/**
 * The flat `assets` row of an asset state, for PostgreSQL: the current view, one column per field the
 * catalog filters or shows. The aspects themselves stay in the state (jsonb).
 */
import {
  compareStamps,
  isDeleted,
  type AssetState,
  type AssetType,
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

/**
 * The `assets` row of a state. Stewards' curated owners replace the reported ones; tags are the reported
 * ones followed by curated tags not already present. `updated_stamp` is the newest stamp of any aspect.
 */
export function toAssetRecord(state: AssetState): AssetRecord {
  const { identity, schema, ownership, lastModified, curated } = state.aspects;
  const reportedTags = ownership?.tags ?? [];
  const stamps = Object.values(state.aspects).map((aspect) => aspect.stamp);
  return {
    urn: state.urn,
    platform: identity.platform,
    instance: identity.instance,
    type: identity.type,
    name: identity.name,
    qualified_name: identity.qualifiedName,
    description: ownership?.description ?? null,
    owners: curated?.owners ?? ownership?.owners ?? [],
    tags: [...reportedTags, ...(curated?.tags ?? []).filter((tag) => !reportedTags.includes(tag))],
    deleted: isDeleted(state),
    placeholder: state.placeholder,
    revision: state.revision,
    schema_fingerprint: schemaFingerprintOf(schema) ?? null,
    last_modified_at: lastModified?.at ?? null,
    updated_stamp: stamps.reduce((newest, stamp) => (compareStamps(stamp, newest) > 0 ? stamp : newest)),
  };
}
