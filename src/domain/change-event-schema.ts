/**
 * The TypeBox schema of the change event and its limits. change-event.ts states the contract's rules and
 * validates; import from there.
 */
import { Type, type Static } from 'typebox';
import { MAX_SAMPLE_CHARS_PER_EVENT } from './change-event-rules.ts';
import { MAX_URN_LENGTH } from './urn.ts';

export const LIMITS = Object.freeze({
  columns: 2000,
  samplesPerColumn: 100,
  sampleLength: 1024,
  sampleCharsPerEvent: MAX_SAMPLE_CHARS_PER_EVENT,
  nameLength: 1024,
  qualifiedNameLength: 2048,
  typeLength: 4096,
  descriptionLength: 16_384,
  labels: 100,
  labelLength: 256,
  instanceLength: 256,
  urnLength: MAX_URN_LENGTH,
});

export const CHANGE_KINDS = ['upsert', 'delete', 'profile'] as const;
export const ASSET_TYPES = ['table', 'view', 'materialized_view', 'topic', 'file', 'dataset'] as const;
export const VALUE_TYPES = [
  'string',
  'integer',
  'decimal',
  'boolean',
  'date',
  'timestamp',
  'binary',
  'other',
] as const;

/** RFC 3339 date-time restricted to instants (the `date-time` format also checks the calendar). */
export const INSTANT = String.raw`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$`;
export const PLATFORM = '^[a-z0-9][a-z0-9_-]*$';
export const URN_PREFIX = '^urn:steward:dataset:';

const instant = (description: string) => Type.String({ format: 'date-time', pattern: INSTANT, description });
const text = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, description });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(type: T, description: string) =>
  Type.Union([type, Type.Null()], { description });
const count = (description: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const labels = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.labelLength }), {
    maxItems: LIMITS.labels,
    description,
  });
const value = () => Type.String({ maxLength: LIMITS.sampleLength });

const Source = Type.Object(
  {
    platform: Type.String({
      pattern: PLATFORM,
      maxLength: 64,
      description: 'Source platform, e.g. postgres',
    }),
    instance: text(LIMITS.instanceLength, 'Lowercase name of the source instance, e.g. prod-eu'),
  },
  {
    title: 'Source',
    description: 'Where the event comes from; agrees with the asset URN',
    additionalProperties: false,
  },
);

const Column = Type.Object(
  {
    name: text(LIMITS.nameLength, 'Exact column name'),
    type: text(LIMITS.typeLength, 'Source data type, e.g. varchar(255)'),
    nullable: Type.Boolean({ description: 'Whether the column accepts nulls' }),
    description: nullable(
      Type.String({ maxLength: LIMITS.descriptionLength }),
      'Column comment, null when none',
    ),
    tags: labels('Tags set at the source'),
    ordinal: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: '1-based position' })),
    primaryKey: Type.Optional(Type.Boolean({ description: 'Part of the primary key' })),
    unique: Type.Optional(
      Type.Boolean({ description: 'Covered by a unique constraint on this column alone' }),
    ),
  },
  { title: 'Column', description: 'One column of the asset', additionalProperties: false },
);

const Asset = Type.Object(
  {
    urn: Type.String({
      pattern: URN_PREFIX,
      maxLength: LIMITS.urnLength,
      description: 'Canonical Steward dataset URN (docs/urns.md): the Kafka key and the identity',
    }),
    type: Type.Enum(ASSET_TYPES, { type: 'string', title: 'AssetType', description: 'Kind of asset' }),
    name: text(LIMITS.nameLength, 'Display name, e.g. customers'),
    qualifiedName: text(LIMITS.qualifiedNameLength, 'Display qualified name, e.g. shop.public.customers'),
    description: nullable(
      Type.String({ maxLength: LIMITS.descriptionLength }),
      'Asset comment, null when none',
    ),
    owners: labels('Owners named at the source (teams or people)'),
    tags: labels('Tags set at the source'),
    lastModifiedAt: Type.Optional(instant("When the source last changed the asset's data, where it knows")),
    columns: Type.Optional(
      Type.Array(Column, { maxItems: LIMITS.columns, description: 'Columns in order; absent: not stated' }),
    ),
  },
  { title: 'Asset', description: 'The asset the event is about', additionalProperties: false },
);

const ColumnProfile = Type.Object(
  {
    name: text(LIMITS.nameLength, 'Exact column name'),
    nullCount: count('Null values in the profiled rows'),
    distinctCount: count('Distinct non-null values in the profiled rows'),
    min: nullable(value(), 'Smallest value, read per valueType; null when unknown'),
    max: nullable(value(), 'Largest value, read per valueType; null when unknown'),
    valueType: Type.Enum(VALUE_TYPES, {
      type: 'string',
      title: 'ValueType',
      description: 'How to read values',
    }),
    samples: Type.Array(value(), {
      maxItems: LIMITS.samplesPerColumn,
      description: 'Sampled values (personal data: topic-only, never stored)',
    }),
  },
  {
    title: 'ColumnProfile',
    description: 'Statistics and samples of one column',
    additionalProperties: false,
  },
);

const Profile = Type.Object(
  {
    rowCount: count('Rows in the asset'),
    profiledAt: instant('When the profile was taken'),
    sampleSize: Type.Optional(count('Rows sampled for the column statistics')),
    columns: Type.Array(ColumnProfile, { maxItems: LIMITS.columns, description: 'Profiled columns' }),
  },
  {
    title: 'Profile',
    description: 'Data profile; required when kind is profile',
    additionalProperties: false,
  },
);

export const ChangeEventSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'UUID of the event: the idempotency key' }),
    kind: Type.Enum(CHANGE_KINDS, { type: 'string', title: 'ChangeKind', description: 'What happened' }),
    occurredAt: instant('When the change happened at the source'),
    source: Source,
    asset: Asset,
    profile: Type.Optional(Profile),
  },
  { title: 'ChangeEvent', description: 'A change to one data asset', additionalProperties: false },
);

export type ChangeEvent = Static<typeof ChangeEventSchema>;
export type ChangeKind = ChangeEvent['kind'];
export type Asset = ChangeEvent['asset'];
export type AssetColumn = NonNullable<Asset['columns']>[number];
export type Profile = NonNullable<ChangeEvent['profile']>;
export type ColumnProfile = Profile['columns'][number];
export type ValueType = ColumnProfile['valueType'];
