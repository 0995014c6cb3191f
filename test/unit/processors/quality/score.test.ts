import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bandOf,
  fitsType,
  scoreAsset,
  withEvidence,
  type AssetInput,
  type ColumnInput,
  type SampledColumn,
} from '../../../../processors/quality/score.ts';

const hour = 3_600_000;
const now = new Date('2026-12-01T12:00:00Z');
const column = (change: Partial<SampledColumn> = {}): ColumnInput =>
  withEvidence(
    {
      name: 'email',
      type: 'varchar',
      nullCount: 0,
      distinctCount: 100,
      samples: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'],
      classes: ['email'],
      ...change,
    },
    now,
  );
const asset = (change: Partial<AssetInput> = {}): AssetInput => ({
  rowCount: 100,
  profiledAt: '2026-12-01T11:00:00Z',
  lastModifiedAt: '2026-12-01T10:00:00Z',
  columns: [
    column(),
    column({
      name: 'id',
      type: 'bigint',
      primaryKey: true,
      distinctCount: 100,
      samples: ['1', '2', '3'],
      classes: [],
    }),
  ],
  rowCountHistory: [98, 101, 99, 100, 102, 100],
  expectedIntervalMs: 24 * hour,
  ...change,
});

describe('quality score', () => {
  it('should score a clean, fresh, stable asset 100 and healthy', () => {
    const q = scoreAsset(asset(), now);
    assert.deepEqual(q.dimensions, { completeness: 1, uniqueness: 1, validity: 1, freshness: 1, volume: 1 });
    assert.equal(q.score, 100);
    assert.equal(q.band, 'healthy');
    assert.equal(q.freshnessFrom, 'source');
  });

  it('should measure completeness from the profile, and from samples without a row count', () => {
    assert.equal(
      scoreAsset(asset({ columns: [column({ nullCount: 25 })] }), now).dimensions.completeness,
      0.75,
    );
    const fromSamples = scoreAsset(
      asset({
        rowCount: null,
        columns: [column({ samples: ['a@example.com', null, 'n/a', 'b@example.com'] })],
      }),
      now,
    );
    assert.equal(fromSamples.dimensions.completeness, 0.5);
  });

  it('should measure uniqueness only for key-like columns', () => {
    const q = scoreAsset(
      asset({
        columns: [
          column({
            name: 'id',
            type: 'bigint',
            primaryKey: true,
            distinctCount: 80,
            classes: [],
            samples: ['1'],
          }),
          column(),
        ],
      }),
      now,
    );
    assert.equal(q.dimensions.uniqueness, 0.8);
    assert.equal(q.columns[1]?.uniqueness, null, 'email is not key-like');
    assert.equal(scoreAsset(asset({ columns: [column()] }), now).dimensions.uniqueness, null);
  });

  it('should count samples that fail the declared type or a class validator as invalid', () => {
    const q = scoreAsset(
      asset({ columns: [column({ samples: ['a@example.com', 'not-an-email', 'b@example.com', 'c@'] })] }),
      now,
    );
    assert.equal(q.dimensions.validity, 0.5);
    const ints = scoreAsset(
      asset({
        columns: [column({ name: 'qty', type: 'integer', classes: [], samples: ['1', '2', 'x', '4'] })],
      }),
      now,
    );
    assert.equal(ints.dimensions.validity, 0.75);
  });

  it('should decay freshness past the expected interval, from the source time, else the profile', () => {
    const stale = scoreAsset(asset({ lastModifiedAt: '2026-11-29T12:00:00Z' }), now); // 48 h old, expected 24 h
    assert.equal(stale.dimensions.freshness, 0);
    const halfway = scoreAsset(asset({ lastModifiedAt: '2026-11-30T00:00:00Z' }), now); // 36 h old
    assert.equal(halfway.dimensions.freshness, 0.5);
    const fallback = scoreAsset(asset({ lastModifiedAt: null }), now);
    assert.equal(fallback.freshnessFrom, 'profile');
    assert.equal(fallback.dimensions.freshness, 1);
  });

  it('should flag a row count beyond 3 standard deviations as a volume anomaly, once there is history', () => {
    const drop = scoreAsset(asset({ rowCount: 10 }), now);
    assert.equal(drop.volumeAnomaly, true);
    assert.equal(drop.dimensions.volume, 0);
    assert.equal(
      scoreAsset(asset({ rowCountHistory: [100, 100] }), now).dimensions.volume,
      null,
      'too little history',
    );
  });

  it('should weight the dimensions measured, and band the result', () => {
    // completeness 0.5, validity 1, freshness 1, uniqueness null, volume null → (0.25·0.5 + 0.25 + 0.2) / 0.7
    const q = scoreAsset(asset({ rowCountHistory: [], columns: [column({ nullCount: 50 })] }), now);
    assert.equal(q.score, 82.1);
    assert.equal(q.band, 'at_risk');
    assert.deepEqual(
      [bandOf(90), bandOf(89.9), bandOf(75), bandOf(74.9)],
      ['healthy', 'at_risk', 'at_risk', 'critical'],
    );
  });

  it('should read declared types as a database reports them', () => {
    const cases: [string, string, boolean][] = [
      ['int4', '42', true],
      ['bigint', '4.2', false],
      ['numeric(10,2)', '1,234.50', true],
      ['boolean', 'yes', true],
      ['date', '2026-02-30', false],
      ['timestamp with time zone', '2026-12-01T10:00:00Z', true],
      ['uuid', 'abc', false],
      ['jsonb', '{"a":1}', true],
      ['varchar(255)', 'anything', true],
    ];
    for (const [type, value, expected] of cases)
      assert.equal(fitsType(type, value), expected, `${type} ${value}`);
  });
});
