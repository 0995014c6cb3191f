import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyRangeSql, keyRanges } from '../../../src/scanner/mysql.ts';
import { samplePercent, sampleSql } from '../../../src/scanner/postgres.ts';
import type { CatalogColumn } from '../../../src/scanner/model.ts';

const columns: CatalogColumn[] = [
  {
    name: 'id',
    type: 'bigint',
    valueType: 'integer',
    nullable: false,
    description: null,
    ordinal: 1,
    primaryKey: true,
    unique: true,
  },
  {
    name: 'we"ird`name',
    type: 'bytea',
    valueType: 'binary',
    nullable: true,
    description: null,
    ordinal: 2,
    primaryKey: false,
    unique: false,
  },
];

describe('PostgreSQL samples', () => {
  it('should read about 1.5 × the rows asked for, and the head of a small table', () => {
    assert.equal(samplePercent(15_000, 10_000), null);
    assert.equal(samplePercent(1_000_000, 10_000), 1.5);
    assert.equal(samplePercent(10_000_000_000, 10_000), 0.00015);
  });

  it('should sample with TABLESAMPLE SYSTEM REPEATABLE, quoting names and digesting binary', () => {
    assert.equal(
      sampleSql({ schema: 'Sales', name: 'orders', columns }, { percent: 1.5, seed: 42, limit: 10_000 }),
      'SELECT left("id"::text, 1024), md5("we""ird`name"::text) FROM "Sales"."orders" TABLESAMPLE SYSTEM (1.50000) REPEATABLE (42) LIMIT 10000',
    );
  });
});

describe('MySQL key ranges', () => {
  it('should spread disjoint ranges over the key space, the same for the same seed', () => {
    const ranges = keyRanges(1n, 1_000_000n, 7);
    assert.equal(ranges.length, 10);
    for (const [i, r] of ranges.entries()) {
      assert.ok(r.from >= 1n + BigInt(i) * 100_000n && r.from < r.to, `range ${i} starts in its slice`);
      assert.ok(r.to <= (ranges[i + 1]?.from ?? 1_000_001n), `range ${i} ends before the next`);
    }
    assert.deepEqual(keyRanges(1n, 1_000_000n, 7), ranges);
    assert.notDeepEqual(keyRanges(1n, 1_000_000n, 8), ranges);
  });

  it('should read each range through the key in one statement', () => {
    const sql = keyRangeSql(
      { schema: 'hr', name: 'people', columns },
      'id',
      [
        { from: 5n, to: 9n },
        { from: 20n, to: 30n },
      ],
      500,
    );
    assert.equal(
      sql,
      '(SELECT LEFT(CAST(`id` AS CHAR), 1024), MD5(`we"ird``name`) FROM `hr`.`people` WHERE `id` >= 5 AND `id` < 9 ORDER BY `id` LIMIT 500)' +
        ' UNION ALL (SELECT LEFT(CAST(`id` AS CHAR), 1024), MD5(`we"ird``name`) FROM `hr`.`people` WHERE `id` >= 20 AND `id` < 30 ORDER BY `id` LIMIT 500)',
    );
  });
});
