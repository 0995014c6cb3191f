/**
 * The value metadata-sync emits on the assets topic (topics/schemas/asset-state.ts): an asset's current
 * state, flat and Avro-shaped (every optional field present, null when unknown). Pure: no clock, no I/O.
 * Profiles are copied as statistics only (the state never holds samples, and the columns are copied
 * field by field here as well).
 */
import type { Accepted } from '../../src/domain/processor.ts';
import type { AssetState } from './aspects.ts';
import { toAssetRecord } from './record.ts';

/** metadata-sync's state per URN (jsonb): the merged asset and the version of its current schema. */
export type SyncState = {
  readonly asset: AssetState;
  /** The version of the newest schema_versions row; 0 until columns are first reported. */
  readonly schemaVersion: number;
  /**
   * Set by a mark-stale command (the metadata-resync sweep): nothing was reported for `expectedMs` as of
   * `since`. Cleared by the next report that is within that interval.
   */
  readonly stale?: { readonly since: string; readonly expectedMs: number };
};

export type AssetEventColumn = {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean | null;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly ordinal: number | null;
  readonly primaryKey: boolean | null;
  readonly unique: boolean | null;
};

export type AssetEventProfile = {
  readonly rowCount: number | null;
  readonly profiledAt: string;
  readonly sampleSize: number | null;
  readonly columns: readonly {
    readonly name: string;
    readonly nullCount: number | null;
    readonly distinctCount: number | null;
    readonly min: string | null;
    readonly max: string | null;
    readonly valueType: string;
  }[];
};

/** The Avro record `steward.v1.AssetState`. */
export type AssetEvent = {
  readonly urn: string;
  readonly revision: number;
  readonly deleted: boolean;
  readonly placeholder: boolean;
  readonly platform: string;
  readonly instance: string;
  readonly type: string;
  readonly name: string;
  readonly qualifiedName: string;
  readonly description: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly columns: readonly AssetEventColumn[];
  readonly schemaVersion: number | null;
  readonly schemaFingerprint: string | null;
  readonly lastModifiedAt: string | null;
  readonly profile: AssetEventProfile | null;
  readonly updatedAt: string;
  /** Marked stale by the metadata-resync sweep: its source has not reported it within the expected interval. */
  readonly stale: boolean;
};

function eventProfile(state: AssetState): AssetEventProfile | null {
  const profile = state.aspects.profile;
  if (profile === undefined) return null;
  return {
    rowCount: profile.rowCount,
    profiledAt: profile.profiledAt,
    sampleSize: profile.sampleSize ?? null,
    columns: profile.columns.map(({ name, nullCount, distinctCount, min, max, valueType }) => ({
      name,
      nullCount,
      distinctCount,
      min,
      max,
      valueType,
    })),
  };
}

/** The assets-topic value of a state (owners and tags with stewards' curation applied, as in `assets`). */
export function toAssetEvent(state: SyncState): AssetEvent {
  const { asset, schemaVersion } = state;
  const record = toAssetRecord(asset);
  const columns = asset.aspects.schema?.columns ?? [];
  return {
    urn: record.urn,
    revision: record.revision,
    deleted: record.deleted,
    placeholder: record.placeholder,
    platform: record.platform,
    instance: record.instance,
    type: record.type,
    name: record.name,
    qualifiedName: record.qualified_name,
    description: record.description,
    owners: [...record.owners],
    tags: [...record.tags],
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      description: c.description,
      tags: [...c.tags],
      ordinal: c.ordinal ?? null,
      primaryKey: c.primaryKey ?? null,
      unique: c.unique ?? null,
    })),
    schemaVersion: schemaVersion > 0 ? schemaVersion : null,
    schemaFingerprint: record.schema_fingerprint,
    lastModifiedAt: record.last_modified_at,
    profile: eventProfile(asset),
    updatedAt: record.updated_stamp.occurredAt,
    stale: state.stale !== undefined,
  };
}

/** An assets-topic record as its readers take it: an asset's state, or the tombstone after a delete. */
export type AssetInput = AssetEvent | { readonly tombstone: true };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Checks what the document needs of a decoded AssetState (Avro checked the rest) and its key. */
export function acceptAssetEvent(value: unknown, key: string): Accepted<AssetInput> {
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
