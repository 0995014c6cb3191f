import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareTypes,
  normaliseType,
  type TypeChange,
} from '../../../../processors/metadata-sync/type-normalise.ts';

describe('normaliseType', () => {
  const canonical: [raw: string, expected: string][] = [
    ['INT4', 'integer'],
    ['  character   varying ( 50 ) ', 'character varying(50)'],
    ['timestamp(3) with time zone', 'timestamp with time zone(3)'],
    ['timestamptz(6)', 'timestamp with time zone'],
    ['datetime(0)', 'datetime'],
    ['tinyint(1)', 'tinyint'],
    ['numeric(010, 2)', 'numeric(10,2)'],
    ['float(53)', 'double precision'],
    ['text[][]', 'text[][]'],
    ['integer ARRAY', 'integer[]'],
    ["ENUM('Active','Closed')", "enum('Active','Closed')"],
    ['geometry(Point, 4326)', 'geometry(Point, 4326)'],
    ['STRUCT<a INT64, b NUMERIC(10,2)>', 'struct<a int64, b numeric(10,2)>'],
    ['int unsigned', 'int unsigned'],
  ];
  for (const [raw, expected] of canonical) {
    it(`normaliseType should give ${expected} when the source says ${raw}`, () => {
      assert.equal(normaliseType(raw).canonical, expected);
    });
  }
});

describe('compareTypes', () => {
  const pairs: [before: string, after: string, expected: TypeChange][] = [
    ['varchar', 'text', 'widening'],
    ['varbinary(16)', 'bytea', 'widening'],
    ['bit varying(8)', 'bit varying(4)', 'narrowing'],
    ['numeric', 'numeric(38,10)', 'narrowing'],
    ['tinyint', 'mediumint', 'widening'],
    ['bigint', 'numeric(19)', 'widening'],
    ['bigint', 'double precision', 'incompatible'],
    ['time(3)', 'time(6)', 'widening'],
    ['int unsigned', 'bigint', 'incompatible'],
    ["enum('a')", "enum('A')", 'incompatible'],
    ['integer[]', 'integer[][]', 'incompatible'],
  ];
  for (const [before, after, expected] of pairs) {
    it(`compareTypes should say ${expected} when ${before} becomes ${after}`, () => {
      assert.equal(compareTypes(normaliseType(before), normaliseType(after)), expected);
    });
  }
});
