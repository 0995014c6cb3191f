import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateChangeEvent } from '../../../src/domain/change-event.ts';
import type { CatalogColumn, CatalogTable } from '../../../src/scanner/model.ts';
import { normaliseValue, profileOf, valueTypeOf } from '../../../src/scanner/profile.ts';

const column = (name: string, type: string, ordinal: number): CatalogColumn => ({
  name,
  type,
  valueType: valueTypeOf(type),
  nullable: true,
  description: null,
  ordinal,
  primaryKey: false,
  unique: false,
});

const table = (columns: CatalogColumn[], rowEstimate: number | null = 1000): CatalogTable => ({
  schema: 'public',
  name: 't',
  kind: 'table',
  description: null,
  columns,
  rowEstimate,
  modSignal: '1@1',
  lastModifiedAt: null,
});

describe('valueTypeOf', () => {
  it('should read PostgreSQL and MySQL spellings', () => {
    const cases: [string, string][] = [
      ['bigint', 'integer'],
      ['int(11) unsigned', 'integer'],
      ['tinyint(1)', 'integer'],
      ['numeric(10,2)', 'decimal'],
      ['double precision', 'decimal'],
      ['boolean', 'boolean'],
      ['date', 'date'],
      ['timestamp with time zone', 'timestamp'],
      ['datetime(3)', 'timestamp'],
      ['character varying(255)', 'string'],
      ['uuid', 'string'],
      ["enum('a','b')", 'string'],
      ['bytea', 'binary'],
      ['longblob', 'binary'],
      ['text[]', 'other'],
      ['jsonb', 'other'],
      ['time without time zone', 'other'],
    ];
    assert.deepEqual(
      cases.map(([t]) => [t, valueTypeOf(t)]),
      cases,
    );
  });
});

describe('normaliseValue', () => {
  it("should turn the databases' timestamps into the contract's form", () => {
    assert.equal(normaliseValue('timestamp', '2024-05-01 12:00:00.123+00'), '2024-05-01T12:00:00.123+00:00');
    assert.equal(normaliseValue('timestamp', '2024-05-01 12:00:00+0530'), '2024-05-01T12:00:00+05:30');
    assert.equal(normaliseValue('timestamp', '2024-05-01 12:00:00'), '2024-05-01T12:00:00');
    assert.equal(normaliseValue('timestamp', 'infinity'), null);
    assert.equal(normaliseValue('timestamp', '0000-00-00 00:00:00'), null);
    assert.equal(normaliseValue('date', '0044-03-15 BC'), null);
    assert.equal(normaliseValue('decimal', '$1,000.00'), null);
  });
});

describe('profileOf', () => {
  const columns = [
    column('id', 'bigint', 1),
    column('email', 'text', 2),
    column('at', 'timestamptz', 3),
    column('photo', 'bytea', 4),
  ];
  const rows = [
    ['3', 'a@example.com', '2024-05-02 00:00:00+00', 'md5-1'],
    ['1', 'b@example.com', '2024-05-01 00:00:00+00', null],
    ['10', 'a@example.com', null, 'md5-1'],
    ['2', null, '2023-12-31 23:59:59.5+00', 'md5-2'],
  ];

  it('should count nulls and distinct values over the sampled rows', () => {
    const profile = profileOf(
      table(columns),
      { method: 'tablesample', rows, complete: false },
      { samplesPerColumn: 5, profiledAt: '2024-06-01T00:00:00Z' },
    );
    assert.deepEqual(
      profile.columns.map((c) => [c.name, c.nullCount, c.distinctCount]),
      [
        ['id', 0, 4],
        ['email', 1, 2],
        ['at', 1, 3],
        ['photo', 1, 2],
      ],
    );
    assert.deepEqual([profile.rowCount, profile.sampleSize], [1000, 4]);
  });

  it('should give min and max for numbers and times (numerically), never for text', () => {
    const profile = profileOf(
      table(columns),
      { method: 'head', rows, complete: true },
      { samplesPerColumn: 5, profiledAt: '2024-06-01T00:00:00Z' },
    );
    assert.deepEqual(
      profile.columns.map((c) => [c.min, c.max]),
      [
        ['1', '10'],
        [null, null],
        ['2023-12-31T23:59:59.5+00:00', '2024-05-02T00:00:00+00:00'],
        [null, null],
      ],
    );
    assert.equal(profile.rowCount, 4, 'a complete sample is the row count');
  });

  it('should publish distinct samples in sample order, none for binary, within the per-event budget', () => {
    const profile = profileOf(
      table(columns),
      { method: 'head', rows, complete: true },
      { samplesPerColumn: 1, profiledAt: '2024-06-01T00:00:00Z' },
    );
    assert.deepEqual(
      profile.columns.map((c) => c.samples),
      [['3'], ['a@example.com'], ['2024-05-02T00:00:00+00:00'], []],
    );
    const wide = Array.from({ length: 400 }, (_, i) => column(`c${i}`, 'text', i + 1));
    const long = 'x'.repeat(1000);
    const many = Array.from({ length: 5 }, (_, r) => wide.map((_, i) => `${long}${r}${i}`.slice(-1000)));
    const big = profileOf(
      table(wide),
      { method: 'head', rows: many, complete: true },
      { samplesPerColumn: 5, profiledAt: '2024-06-01T00:00:00Z' },
    );
    const event = {
      id: '00000000-0000-4000-8000-000000000000',
      kind: 'profile',
      occurredAt: '2024-06-01T00:00:00Z',
      source: { platform: 'postgres', instance: 'x' },
      asset: {
        urn: 'urn:steward:dataset:postgres:x:db.public.t',
        type: 'table',
        name: 't',
        qualifiedName: 'db.public.t',
        description: null,
        owners: [],
        tags: [],
      },
      profile: big,
    };
    const result = validateChangeEvent(event);
    assert.equal(result.ok, true, JSON.stringify(!result.ok && result.errors.slice(0, 2)));
    assert.ok(
      big.columns.every((c) => c.samples.length === 0),
      '1000-character samples do not fit 655 characters a column',
    );
  });

  it('should strip NUL characters from samples', () => {
    const profile = profileOf(
      table([column('s', 'text', 1)]),
      { method: 'head', rows: [['a\u0000b']], complete: true },
      { samplesPerColumn: 5, profiledAt: '2024-06-01T00:00:00Z' },
    );
    assert.deepEqual(profile.columns[0]?.samples, ['ab']);
  });
});
