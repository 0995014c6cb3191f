/**
 * The change event: the one contract every producer sends, as the Avro value of the changes topic
 * (topics/changes.ts) or as JSON over HTTP. Its TypeBox schema (change-event-schema.ts) is the single
 * source; the JSON Schema and the Avro schema are generated from it (`npm run generate`, checked by
 * `npm run check:drift`).
 *
 * Presence rules:
 * - `profile` is optional on `upsert`, required on `profile` and not allowed on `delete`.
 * - `asset.columns` is optional on every kind. Absent means "this event says nothing about the columns" (a
 *   profile, a delete, or a source that does not know them); `[]` means "the asset has no columns". Consumers
 *   must never read an absent list as "every column was dropped".
 * - `description` is required but nullable (null: the source has none); `ordinal`, `primaryKey`, `unique`,
 *   `lastModifiedAt` and `sampleSize` are optional (absent: unknown).
 * - `min`/`max` are strings (or null) read according to `valueType`, so any source type fits one field:
 *   integer `-12`, decimal `3.14` / `1e-7` / `NaN` / `Infinity`, boolean `true`, date `2024-05-01`,
 *   timestamp `2024-05-01T12:00:00(.fraction)(Z|±hh:mm)?`; string, binary (base64) and other are free text.
 *
 * Limits (LIMITS) keep one event well under Kafka's message size and the registry's Avro encoder fast:
 * at most 2000 columns per asset or profile, 100 samples per column of at most 1024 characters each, and
 * 262144 sample characters in one event (1 MiB even at 4 bytes of UTF-8 each); names at most 1024
 * characters, qualified names 2048, column types 4096, descriptions 16384, at most 100 owners and 100
 * tags of at most 256 characters. `id` is a UUID (the idempotency key); every timestamp is an ISO-8601
 * instant with `Z` or an offset. The cross-field rules live in change-event-rules.ts.
 */
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { ruleErrors } from './change-event-rules.ts';
import { ChangeEventSchema, INSTANT, PLATFORM, URN_PREFIX, type ChangeEvent } from './change-event-schema.ts';
import { fieldErrors, type FieldError } from './field-errors.ts';

export { ASSET_TYPES, CHANGE_KINDS, ChangeEventSchema, LIMITS, VALUE_TYPES } from './change-event-schema.ts';
export type {
  Asset,
  AssetColumn,
  ChangeEvent,
  ChangeKind,
  ColumnProfile,
  Profile,
  ValueType,
} from './change-event-schema.ts';
export type { FieldError } from './field-errors.ts';

export type ChangeEventValidation =
  { readonly ok: true; readonly event: ChangeEvent } | { readonly ok: false; readonly errors: FieldError[] };

const validator = Compile(ChangeEventSchema);
const INSTANT_MESSAGE = 'must be an ISO-8601 instant with Z or an offset, e.g. 2024-05-01T12:00:00Z';
const messages = {
  formats: { uuid: 'must be a UUID', 'date-time': INSTANT_MESSAGE },
  patterns: {
    [INSTANT]: INSTANT_MESSAGE,
    [PLATFORM]: 'must be lowercase letters, digits, "_" or "-"',
    [URN_PREFIX]: 'must be a Steward dataset URN: urn:steward:dataset:<platform>:<instance>:<name>',
  },
};

/** TypeBox stops collecting at Settings.maxErrors (process-wide, 8 by default); raise it for this call only. */
const MAX_SCHEMA_ERRORS = 100;
function schemaErrors(value: unknown): FieldError[] {
  const { maxErrors } = Settings.Get();
  Settings.Set({ maxErrors: MAX_SCHEMA_ERRORS });
  try {
    return fieldErrors(ChangeEventSchema, validator.Errors(value), messages);
  } finally {
    Settings.Set({ maxErrors });
  }
}

/** Checks the schema, then (on a value of the right shape) the cross-field rules. Never throws. */
export function validateChangeEvent(value: unknown): ChangeEventValidation {
  if (!validator.Check(value)) {
    return { ok: false, errors: schemaErrors(value) };
  }
  const errors = ruleErrors(value);
  return errors.length === 0 ? { ok: true, event: value } : { ok: false, errors };
}
