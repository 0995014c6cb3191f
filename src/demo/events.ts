/**
 * The demo's change events: an upsert and a profile (statistics and samples) per table of the catalog,
 * then a story of what happens to those sources over a few minutes — columns added, dropped and retyped,
 * tables growing, a table dropped, a new one appearing. Deterministic for a seed (values and ids), except
 * the timestamps, which follow the clock so freshness and staleness look as they would live.
 */
import { createHash } from 'node:crypto';
import { Faker, base, en } from '@faker-js/faker';
import type { AssetColumn, ChangeEvent, ColumnProfile } from '../domain/change-event.ts';
import { datasetUrn } from '../domain/urn.ts';
import { DEMO_TABLES, type DemoColumn, type DemoTable } from './catalog.ts';

const SAMPLES = 20;
const SAMPLE_ROWS = 200;

/** A UUID derived from the parts, so a demo run's events have stable ids per seed and step. */
function uuidOf(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const urnOf = (table: DemoTable): string =>
  datasetUrn({ platform: table.platform, instance: table.instance, path: [...table.path] });

const nameOf = (table: DemoTable): string => table.path[table.path.length - 1] ?? table.path.join('.');

function assetOf(table: DemoTable): ChangeEvent['asset'] {
  return {
    urn: urnOf(table),
    type: 'table',
    name: nameOf(table),
    qualifiedName: table.path.join('.'),
    description: table.description,
    owners: [...table.owners],
    tags: [...table.tags],
    columns: table.columns.map((c, i): AssetColumn => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable ?? !c.primaryKey,
      description: c.description ?? null,
      tags: [...(c.tags ?? [])],
      ordinal: i + 1,
      ...(c.primaryKey && { primaryKey: true }),
      ...(c.unique && { unique: true }),
    })),
  };
}

const ORDERED = new Set(['integer', 'decimal', 'date', 'timestamp']);

function columnProfile(column: DemoColumn, rows: number, faker: Faker): ColumnProfile {
  const values: (string | null)[] = Array.from({ length: Math.min(SAMPLE_ROWS, rows) }, (_, row) =>
    faker.number.float() < (column.nulls ?? 0) ? null : column.value(faker, row),
  );
  const present = values.filter((v): v is string => v !== null);
  const distinctInSample = new Set(present).size;
  const nullCount = Math.round(((values.length - present.length) / Math.max(values.length, 1)) * rows);
  const distinctCount =
    column.primaryKey || column.unique
      ? rows - nullCount
      : distinctInSample >= 0.95 * present.length
        ? Math.min(rows - nullCount, Math.round(distinctInSample * (rows / Math.max(values.length, 1))))
        : distinctInSample;
  const numeric = column.valueType === 'integer' || column.valueType === 'decimal';
  const sorted = ORDERED.has(column.valueType)
    ? [...present].sort((a, b) => (numeric ? Number(a) - Number(b) : a.localeCompare(b)))
    : [];
  return {
    name: column.name,
    nullCount,
    distinctCount,
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
    valueType: column.valueType,
    samples: present.slice(0, SAMPLES),
  };
}

export interface DemoClock {
  /** The instant of the step (ISO-8601). */
  readonly at: string;
}

function upsert(table: DemoTable, at: string, step: string, seed: number): ChangeEvent {
  return {
    id: uuidOf(String(seed), step, urnOf(table), 'upsert'),
    kind: 'upsert',
    occurredAt: at,
    source: { platform: table.platform, instance: table.instance },
    asset: { ...assetOf(table), lastModifiedAt: at },
  };
}

function profile(table: DemoTable, at: string, step: string, seed: number, rows = table.rows): ChangeEvent {
  const faker = new Faker({ locale: [en, base], seed: seed + rows });
  const { columns: _columns, ...asset } = assetOf(table);
  return {
    id: uuidOf(String(seed), step, urnOf(table), 'profile'),
    kind: 'profile',
    occurredAt: at,
    source: { platform: table.platform, instance: table.instance },
    asset,
    profile: {
      rowCount: rows,
      profiledAt: at,
      sampleSize: Math.min(SAMPLE_ROWS, rows),
      columns: table.columns.map((c) => columnProfile(c, rows, faker)),
    },
  };
}

function drop(table: DemoTable, at: string, step: string, seed: number): ChangeEvent {
  const { columns: _columns, ...asset } = assetOf(table);
  return {
    id: uuidOf(String(seed), step, urnOf(table), 'delete'),
    kind: 'delete',
    occurredAt: at,
    source: { platform: table.platform, instance: table.instance },
    asset,
  };
}

/** The whole catalog as it is first reported: one upsert and one profile per table. */
export function initialEvents(at: Date, seed = 1): ChangeEvent[] {
  const when = at.toISOString();
  const profiled = new Date(at.getTime() + 1000).toISOString();
  return DEMO_TABLES.flatMap((table) => [
    upsert(table, when, 'initial', seed),
    profile(table, profiled, 'initial', seed),
  ]);
}

const table = (path: string): DemoTable => {
  const found = DEMO_TABLES.find((t) => t.path.join('.') === path);
  if (!found) throw new Error(`no demo table ${path}`);
  return found;
};

export const LAB_RESULTS: DemoTable = {
  platform: 'postgres',
  instance: 'clinic-db',
  path: ['clinic', 'care', 'lab_results'],
  description: 'Laboratory results per patient',
  owners: ['team-clinical-it'],
  tags: ['health'],
  rows: 51_000,
  columns: [
    {
      name: 'id',
      type: 'bigint',
      valueType: 'integer',
      primaryKey: true,
      value: (_, row) => String(row + 1),
    },
    {
      name: 'patient_id',
      type: 'bigint',
      valueType: 'integer',
      value: (f) => String(f.number.int({ min: 1, max: 22_700 })),
    },
    {
      name: 'patient_email',
      type: 'varchar(255)',
      valueType: 'string',
      value: (f) => f.internet.email().toLowerCase(),
    },
    {
      name: 'test_code',
      type: 'varchar(16)',
      valueType: 'string',
      value: (f) => f.helpers.arrayElement(['HBA1C', 'LDL', 'TSH', 'CRP', 'FERRITIN']),
    },
    {
      name: 'result_value',
      type: 'numeric(8,2)',
      valueType: 'decimal',
      value: (f) => f.finance.amount({ min: 0, max: 300, dec: 2 }),
    },
  ],
};

export interface StoryStep {
  readonly what: string;
  readonly events: (at: Date, seed: number) => ChangeEvent[];
}

/** What happens after the first reports, in order; the demo spreads these over its duration. */
export const STORY: readonly StoryStep[] = [
  {
    what: 'shop.public.orders gains a coupon_code column',
    events: (at, seed) => {
      const orders = table('shop.public.orders');
      const changed: DemoTable = {
        ...orders,
        columns: [
          ...orders.columns,
          {
            name: 'coupon_code',
            type: 'varchar(32)',
            valueType: 'string',
            nulls: 0.8,
            value: (f) => f.string.alphanumeric(8),
          },
        ],
      };
      return [upsert(changed, at.toISOString(), 'coupon', seed)];
    },
  },
  {
    what: 'shop.public.customers grows and is profiled again',
    events: (at, seed) => [profile(table('shop.public.customers'), at.toISOString(), 'growth', seed, 49_350)],
  },
  {
    what: 'hr.employees drops tax_id (a breaking change)',
    events: (at, seed) => {
      const employees = table('hr.employees');
      return [
        upsert(
          { ...employees, columns: employees.columns.filter((c) => c.name !== 'tax_id') },
          at.toISOString(),
          'drop-tax-id',
          seed,
        ),
      ];
    },
  },
  {
    what: 'shop.public.payments retypes amount from numeric(12,2) to numeric(14,2)',
    events: (at, seed) => {
      const payments = table('shop.public.payments');
      return [
        upsert(
          {
            ...payments,
            columns: payments.columns.map((c) => (c.name === 'amount' ? { ...c, type: 'numeric(14,2)' } : c)),
          },
          at.toISOString(),
          'retype-amount',
          seed,
        ),
      ];
    },
  },
  {
    what: 'clinic.care.lab_results appears, with patient e-mail addresses',
    events: (at, seed) => [
      upsert(LAB_RESULTS, at.toISOString(), 'lab-results', seed),
      profile(LAB_RESULTS, new Date(at.getTime() + 1000).toISOString(), 'lab-results', seed),
    ],
  },
  {
    what: 'MARKETING.STAGING.TMP_IMPORT_2024 is dropped',
    events: (at, seed) => [
      drop(table('MARKETING.STAGING.TMP_IMPORT_2024'), at.toISOString(), 'drop-tmp', seed),
    ],
  },
  {
    what: 'MARKETING.PUBLIC.WEB_SESSIONS jumps from 4.1 to 9.8 million rows',
    events: (at, seed) => [
      profile(table('MARKETING.PUBLIC.WEB_SESSIONS'), at.toISOString(), 'sessions-jump', seed, 9_800_000),
    ],
  },
];
