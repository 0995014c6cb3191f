/**
 * The asset state metadata-sync keeps per URN, as aspects. Each aspect is a last-writer-wins register
 * stamped with the (occurredAt, event id) of the event that wrote it; merge.ts holds the rules. The state
 * is stored as jsonb, so it holds only strings, numbers, booleans, null, arrays and plain objects, and an
 * optional field is absent rather than undefined.
 *
 * Sample values are personal data: they travel on the changes topic only and never enter this state.
 * Columns and profile statistics are copied field by field (an allow-list), so a field added to the
 * contract later is not stored until it is named here.
 */
import type { Asset, AssetColumn, ColumnProfile, Profile } from '../../src/domain/change-event.ts';

/** Who wrote an aspect, and when: `occurredAt` is an ISO-8601 instant with `Z` or an offset. */
export type Stamp = { readonly occurredAt: string; readonly eventId: string };

export type AssetType = Asset['type'];

export const ASPECT_NAMES = [
  'identity',
  'schema',
  'ownership',
  'profile',
  'lastModified',
  'deletion',
  'curated',
] as const;
export type AspectName = (typeof ASPECT_NAMES)[number];

/**
 * How much authority an identity write has, lowest first: a placeholder (named by lineage), inferred (the
 * identity a profile or delete event carries), reported (an upsert, which is about the asset itself).
 */
export const IDENTITY_ORIGINS = ['placeholder', 'inferred', 'reported'] as const;
export type IdentityOrigin = (typeof IDENTITY_ORIGINS)[number];

export type IdentityAspect = {
  readonly type: AssetType;
  readonly name: string;
  readonly qualifiedName: string;
  readonly platform: string;
  readonly instance: string;
  readonly origin: IdentityOrigin;
  readonly stamp: Stamp;
};

/** `columns` in the contract's order; `[]` is an asset reported to have no columns. */
export type SchemaAspect = { readonly columns: readonly AssetColumn[]; readonly stamp: Stamp };

export type OwnershipAspect = {
  readonly description: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly stamp: Stamp;
};

export type ColumnStatistics = Omit<ColumnProfile, 'samples'>;
/** A profile without its samples: the only form a profile is ever kept in. */
export type ProfileStatistics = {
  readonly rowCount: number;
  readonly profiledAt: string;
  readonly sampleSize?: number;
  readonly columns: readonly ColumnStatistics[];
};
export type ProfileAspect = ProfileStatistics & { readonly stamp: Stamp };

/** When the source last changed the asset's data (`asset.lastModifiedAt`). */
export type LastModifiedAspect = { readonly at: string; readonly stamp: Stamp };

export type DeletionAspect = { readonly deleted: boolean; readonly stamp: Stamp };

/**
 * Set by stewards through the API (src/domain/curation.ts); change events never write it. A field is
 * present only while a steward's value is in force.
 */
export type CuratedAspect = {
  readonly owners?: readonly string[];
  readonly tags?: readonly string[];
  readonly description?: string;
  /** ISO-8601 duration, e.g. P30D. */
  readonly retention?: string;
  /** Who curated last. */
  readonly by: string;
  readonly stamp: Stamp;
};

export type Aspects = {
  readonly identity: IdentityAspect;
  readonly schema?: SchemaAspect;
  readonly ownership?: OwnershipAspect;
  readonly profile?: ProfileAspect;
  readonly lastModified?: LastModifiedAspect;
  readonly deletion?: DeletionAspect;
  readonly curated?: CuratedAspect;
};

export type AssetState = {
  readonly urn: string;
  /** The per-asset document revision: +1 on every merge that changed the state. */
  readonly revision: number;
  /** Known only from a placeholder (e.g. lineage): no change event has been merged yet. */
  readonly placeholder: boolean;
  readonly aspects: Aspects;
};

const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** [milliseconds of the whole second since the epoch, nanoseconds within it]: exact to the nanosecond. */
function instant(value: string): readonly [number, number] {
  const [, seconds = '', fraction = '', offset = ''] = INSTANT.exec(value) ?? [];
  const epochMs = Date.parse(`${seconds}${offset}`);
  if (Number.isNaN(epochMs)) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(value)}`);
  return [epochMs, Number(fraction.padEnd(9, '0'))];
}

/** Whether `compareStamps` can read `stamp`: its `occurredAt` is an ISO-8601 instant with `Z` or an offset. */
export function isValidStamp(stamp: Stamp): boolean {
  try {
    instant(stamp.occurredAt);
    return true;
  } catch {
    return false;
  }
}

/**
 * Orders stamps: negative when `a` is older, positive when newer, 0 for the same stamp. `occurredAt` is
 * compared as an instant (offsets differ, so strings do not sort; fractions up to nanoseconds count), and
 * a tie on the instant is broken by the event id, compared as a string. Throws RangeError on a value that
 * is not an instant (the contract never lets one through).
 */
export function compareStamps(a: Stamp, b: Stamp): number {
  const [aMs, aNs] = instant(a.occurredAt);
  const [bMs, bNs] = instant(b.occurredAt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aNs !== bNs) return aNs < bNs ? -1 : 1;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

/** A column as stored: the contract's fields in a fixed order, optional ones only when present. */
export function storedColumn(column: AssetColumn): AssetColumn {
  const { name, type, nullable, description, tags, ordinal, primaryKey, unique } = column;
  return {
    name,
    type,
    nullable,
    description,
    tags: [...tags],
    ...(ordinal === undefined ? {} : { ordinal }),
    ...(primaryKey === undefined ? {} : { primaryKey }),
    ...(unique === undefined ? {} : { unique }),
  };
}

/** The profile's statistics, samples left out: what may be stored, indexed or emitted. */
export function profileWithoutSamples(profile: Profile): ProfileStatistics {
  const { rowCount, profiledAt, sampleSize, columns } = profile;
  return {
    rowCount,
    profiledAt,
    ...(sampleSize === undefined ? {} : { sampleSize }),
    columns: columns.map(({ name, nullCount, distinctCount, min, max, valueType }) => ({
      name,
      nullCount,
      distinctCount,
      min,
      max,
      valueType,
    })),
  };
}

export function isDeleted(state: AssetState): boolean {
  return state.aspects.deletion?.deleted ?? false;
}
