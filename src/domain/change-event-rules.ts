/**
 * The change event's cross-field rules, checked once the value has the schema's shape:
 * - `asset.urn` is a canonical dataset URN, and `source.platform`/`source.instance` equal the URN's;
 * - `profile` is present when kind is "profile" and absent when kind is "delete";
 * - no two columns (of the asset, or of the profile) share a column URN: duplicate names, or names that
 *   only differ in case on a platform that ignores it (mysql);
 * - `min`/`max` read as their `valueType` says;
 * - all samples of one event hold at most MAX_SAMPLE_CHARS_PER_EVENT characters.
 */
import type { ChangeEvent, ValueType } from './change-event-schema.ts';
import type { FieldError } from './field-errors.ts';
import { UrnError, columnUrnsOf, canonicalizeUrn, parseUrn, type ParsedUrn } from './urn.ts';

/** The sum of every sample's length in one event: 256 Ki characters, 1 MiB even at 4 bytes of UTF-8 each. */
export const MAX_SAMPLE_CHARS_PER_EVENT = 262_144;

const VALUE_FORMATS: Readonly<Record<ValueType, RegExp | undefined>> = {
  integer: /^[+-]?\d+$/,
  decimal: /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]?Infinity)$/,
  boolean: /^(?:true|false)$/,
  date: /^[+-]?\d{4,6}-\d{2}-\d{2}$/,
  timestamp: /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?$/,
  string: undefined,
  binary: undefined,
  other: undefined,
};

function urnErrors(event: ChangeEvent): { errors: FieldError[]; urn?: ParsedUrn } {
  let urn: ParsedUrn;
  let canonical: string;
  try {
    urn = parseUrn(event.asset.urn);
    canonical = canonicalizeUrn(event.asset.urn);
  } catch (error) {
    if (error instanceof UrnError) return { errors: [{ path: '/asset/urn', message: error.message }] };
    throw error;
  }
  const errors: FieldError[] = [];
  if (urn.column !== undefined)
    errors.push({ path: '/asset/urn', message: 'must be a dataset URN, not a column URN' });
  else if (canonical !== event.asset.urn)
    errors.push({ path: '/asset/urn', message: `must be canonical: ${JSON.stringify(canonical)}` });
  for (const field of ['platform', 'instance'] as const) {
    if (event.source[field] !== urn[field]) {
      const message = `${JSON.stringify(event.source[field])} does not match the URN's ${field} ${JSON.stringify(urn[field])}`;
      errors.push({ path: `/source/${field}`, message });
    }
  }
  return { errors, urn };
}

function duplicateColumns(
  dataset: string | undefined,
  columns: readonly { name: string }[],
  at: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const first = new Map<string, number>();
  let urnOf: ((column: string) => string) | undefined;
  let datasetError: UrnError | undefined;
  if (dataset !== undefined) {
    try {
      urnOf = columnUrnsOf(dataset);
    } catch (error) {
      if (!(error instanceof UrnError)) throw error;
      datasetError = error;
    }
  }
  columns.forEach(({ name }, i) => {
    let key = name;
    if (dataset !== undefined) {
      try {
        if (datasetError) throw datasetError;
        key = urnOf ? urnOf(name) : name;
      } catch (error) {
        if (!(error instanceof UrnError)) throw error;
        errors.push({ path: `${at}/${i}/name`, message: error.message });
        return;
      }
    }
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, i);
    else
      errors.push({
        path: `${at}/${i}/name`,
        message: `duplicate column ${JSON.stringify(name)} (see ${at}/${earlier})`,
      });
  });
  return errors;
}

function profileErrors(event: ChangeEvent, dataset: string | undefined): FieldError[] {
  const { kind, profile } = event;
  if (kind === 'profile' && !profile)
    return [{ path: '/profile', message: 'required when kind is "profile"' }];
  if (kind === 'delete' && profile)
    return [{ path: '/profile', message: 'not allowed when kind is "delete"' }];
  if (!profile) return [];
  const errors = duplicateColumns(dataset, profile.columns, '/profile/columns');
  let sampleChars = 0;
  profile.columns.forEach((column, i) => {
    for (const bound of ['min', 'max'] as const) {
      const value = column[bound];
      const format = VALUE_FORMATS[column.valueType];
      if (value !== null && format && !format.test(value)) {
        const message = `${JSON.stringify(value.slice(0, 40))} is not a valid ${column.valueType} value`;
        errors.push({ path: `/profile/columns/${i}/${bound}`, message });
      }
    }
    for (const sample of column.samples) sampleChars += sample.length;
  });
  if (sampleChars > MAX_SAMPLE_CHARS_PER_EVENT) {
    const message = `samples hold ${sampleChars} characters in all, more than ${MAX_SAMPLE_CHARS_PER_EVENT}`;
    errors.push({ path: '/profile/columns', message });
  }
  return errors;
}

/** The cross-field problems of an event that already matches ChangeEventSchema; empty when it is valid. */
export function ruleErrors(event: ChangeEvent): FieldError[] {
  const { errors, urn } = urnErrors(event);
  const dataset = urn && urn.column === undefined ? event.asset.urn : undefined;
  return [
    ...errors,
    ...(event.asset.columns ? duplicateColumns(dataset, event.asset.columns, '/asset/columns') : []),
    ...profileErrors(event, dataset),
  ];
}
