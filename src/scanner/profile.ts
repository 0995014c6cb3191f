/**
 * A table's profile from a sample of its rows. Pure.
 *
 * Every statistic is over the sampled rows (the contract's `sampleSize`): nulls, distinct non-null values,
 * and min/max for numbers, dates and timestamps only — the smallest and largest of a text column would be
 * two real values (a name, an e-mail), and they are stored, unlike samples. Samples are the first distinct
 * non-null values in sample order (the sample is spread over the table), shortened to fit the contract's
 * per-event budget of sample characters; binary columns are read as digests and give no samples.
 */
import type { ColumnProfile, Profile, ValueType } from '../domain/change-event.ts';
import { MAX_SAMPLE_CHARS_PER_EVENT } from '../domain/change-event-rules.ts';
import type { CatalogTable, SampleRows } from './model.ts';

const RULES: readonly [RegExp, ValueType][] = [
  [/^(bool|boolean)$/, 'boolean'],
  [/^(tinyint\(1\))/, 'integer'],
  [
    /^(smallint|integer|int|bigint|tinyint|mediumint|int2|int4|int8|serial|bigserial|smallserial|year)\b/,
    'integer',
  ],
  [/^(numeric|decimal|real|double|float|float4|float8|dec|fixed)\b/, 'decimal'],
  [/^date$/, 'date'],
  [/^(timestamptz|timestamp|datetime)\b/, 'timestamp'],
  [/^(bytea|binary|varbinary|tinyblob|blob|mediumblob|longblob|bit)\b/, 'binary'],
  [
    /^(text|character|char|varchar|nchar|nvarchar|tinytext|mediumtext|longtext|uuid|citext|name|inet|cidr|macaddr|enum|set|xml)\b/,
    'string',
  ],
];

/** How the values of a column type read (the contract's `valueType`); `other` for arrays, JSON, geometry… */
export function valueTypeOf(type: string): ValueType {
  const t = type.trim().toLowerCase();
  if (t.endsWith('[]')) return 'other';
  for (const [pattern, valueType] of RULES) if (pattern.test(t)) return valueType;
  return 'other';
}

/** Types whose min and max are published (orderable, and not a person's words). */
const ORDERED = new Set<ValueType>(['integer', 'decimal', 'date', 'timestamp']);

/** A database's text for a timestamp or date in the contract's form; null when it has none (BC, infinity). */
export function normaliseValue(valueType: ValueType, text: string): string | null {
  switch (valueType) {
    case 'integer':
      return /^[+-]?\d+$/.test(text) ? text : null;
    case 'decimal':
      return /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]?Infinity)$/.test(text) ? text : null;
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text) && text !== '0000-00-00' ? text : null;
    case 'timestamp': {
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
        text,
      );
      if (!m || m[1] === '0000-00-00') return null;
      const zone = m[3];
      const offset =
        zone === undefined || zone === 'Z'
          ? (zone ?? '')
          : zone.length === 3
            ? `${zone}:00`
            : zone.includes(':')
              ? zone
              : `${zone.slice(0, 3)}:${zone.slice(3)}`;
      return `${m[1]}T${m[2]}${offset}`;
    }
    default:
      return text;
  }
}

function compare(valueType: ValueType, a: string, b: string): number {
  switch (valueType) {
    case 'integer': {
      const d = BigInt(a) - BigInt(b);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    }
    case 'decimal': {
      const x = Number(a);
      const y = Number(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
      return x - y;
    }
    default:
      // ISO dates and timestamps of one column share a zone (the reader reads in UTC): text order is time order.
      return a < b ? -1 : a > b ? 1 : 0;
  }
}

export interface ProfileOptions {
  readonly samplesPerColumn: number;
  readonly profiledAt: string;
}

// NUL is not text anywhere downstream (PostgreSQL, JSON consumers); a sample is cut to the contract's length.
const clean = (value: string): string => value.replaceAll('\u0000', '');

/** The profile of `table` from its sample. */
export function profileOf(table: CatalogTable, sample: SampleRows, options: ProfileOptions): Profile {
  const columnBudget = Math.floor(MAX_SAMPLE_CHARS_PER_EVENT / Math.max(1, table.columns.length));
  const columns = table.columns.map((column, index): ColumnProfile => {
    let nulls = 0;
    const distinct = new Set<string>();
    let min: string | null = null;
    let max: string | null = null;
    const samples: string[] = [];
    let budget = columnBudget;
    const ordered = ORDERED.has(column.valueType);
    const sampled = column.valueType !== 'binary';
    for (const row of sample.rows) {
      const raw = row[index];
      if (raw === null || raw === undefined) {
        nulls++;
        continue;
      }
      if (distinct.has(raw)) continue;
      distinct.add(raw);
      if (ordered) {
        const value = normaliseValue(column.valueType, raw);
        if (value !== null) {
          if (min === null || compare(column.valueType, value, min) < 0) min = value;
          if (max === null || compare(column.valueType, value, max) > 0) max = value;
        }
      }
      if (sampled && samples.length < options.samplesPerColumn) {
        const value = clean((ordered && normaliseValue(column.valueType, raw)) || raw);
        if (value.length > 0 && value.length <= budget) {
          samples.push(value);
          budget -= value.length;
        }
      }
    }
    return {
      name: column.name,
      nullCount: nulls,
      distinctCount: distinct.size,
      min,
      max,
      valueType: column.valueType,
      samples,
    };
  });
  const rowCount = sample.complete
    ? sample.rows.length
    : Math.max(sample.rows.length, Math.round(table.rowEstimate ?? 0));
  return { rowCount, profiledAt: options.profiledAt, sampleSize: sample.rows.length, columns };
}
