import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Emit, HandleResult, InputEvent, RowWrite } from '../../../../src/domain/processor.ts';
import {
  acceptComplianceResult,
  acceptRescore,
  expectedInterval,
  handleQuality,
  type QualityInput,
  type QualityResult,
  type QualityState,
} from '../../../../processors/quality/processor.ts';
import { quality } from '../../../../topics/index.ts';
import { assetEvent } from '../indexer/asset-event.ts';
import { columnProfile, emails, profileOf, samples } from '../../../fixtures/compliance.ts';

const urn = 'urn:steward:dataset:postgres:prod:crm.public.contacts';
const T0 = Date.parse('2026-11-02T10:00:00Z');
const hours = (n: number): number => T0 + n * 3_600_000;
const iso = (n: number): string => new Date(hours(n)).toISOString();

let offset = 0;
function run(
  inputs: readonly [QualityInput, number][],
  state?: QualityState,
): { state: QualityState | undefined; rows: RowWrite[]; results: QualityResult[]; emits: Emit[] } {
  const rows: RowWrite[] = [];
  const emits: Emit[] = [];
  let current = state;
  for (const [value, timestamp] of inputs) {
    offset += 1;
    const event: InputEvent<QualityInput> = {
      id: value.from === 'changes' ? value.event.id : `${value.from}/0/${offset}`,
      topic: value.from,
      partition: 0,
      offset: String(offset),
      key: urn,
      value,
      timestamp,
      headers: {},
    };
    const result: HandleResult<QualityState> = handleQuality(event, current, quality);
    if (result.state !== undefined) current = result.state ?? undefined;
    rows.push(...(result.effects?.rows ?? []));
    emits.push(...(result.effects?.emit ?? []));
  }
  const results = emits.flatMap((e) => (e.value === null ? [] : [e.value as QualityResult]));
  return { state: current, rows, results, emits };
}

const catalog = (revision: number, tags: string[] = [], lastModifiedAt = iso(0)): QualityInput => ({
  from: 'assets',
  asset: assetEvent(revision, {
    urn,
    tags,
    lastModifiedAt,
    columns: [
      {
        name: 'id',
        type: 'bigint',
        nullable: false,
        description: null,
        tags: [],
        ordinal: 1,
        primaryKey: true,
        unique: true,
      },
      {
        name: 'email',
        type: 'text',
        nullable: true,
        description: null,
        tags: [],
        ordinal: 2,
        primaryKey: null,
        unique: null,
      },
    ],
  }),
});
const ids = Array.from({ length: 40 }, (_, i) => String(i + 1));
const profile = (n: number, at: number, rowCount: number, emailValues = samples(emails)): QualityInput => ({
  from: 'changes',
  event: profileOf(
    urn,
    n,
    iso(at),
    [columnProfile('id', ids), columnProfile('email', emailValues)],
    rowCount,
  ),
});
const classes = (revision: number, effective = true): QualityInput => {
  const accepted = acceptComplianceResult(
    { urn, revision, deleted: false, columns: [{ name: 'email', classes: [{ class: 'email', effective }] }] },
    urn,
  );
  assert.ok(accepted.ok);
  return { from: 'compliance', result: accepted.value };
};
const last = (results: readonly QualityResult[]): QualityResult => results.at(-1) ?? assert.fail('no result');

describe('quality processor', () => {
  it('should score a profile against the catalog and record history, with no sample kept', () => {
    const { results, rows, state } = run([
      [catalog(1), hours(0)],
      [profile(1, 0.5, 40), hours(0.5)],
    ]);
    const result = last(results);
    assert.equal(result.band, 'healthy');
    assert.equal(result.dimensions.completeness, 1);
    assert.equal(result.dimensions.uniqueness, 1);
    assert.equal(result.freshnessFrom, 'source');
    assert.equal(rows.filter((r) => r.table === 'quality_history').length, 2);
    const everything = JSON.stringify({ state, rows, results });
    for (const email of emails) assert.ok(!everything.includes(email), `${email} leaked`);
  });

  it("should judge validity against compliance's classes, which may arrive after the samples", () => {
    const dirty = samples([...emails, 'not an email', 'also-not', 'nope@', '@nope'], 48);
    const { state, results } = run([
      [catalog(1), hours(0)],
      [profile(1, 0.5, 1000, dirty), hours(0.5)],
    ]);
    assert.equal(
      last(results).columns.find((c) => c.name === 'email')?.validity,
      1,
      'text: anything is valid',
    );
    const classed = run([[classes(1), hours(0.6)]], state);
    assert.equal(last(classed.results).columns.find((c) => c.name === 'email')?.validity, 0.667);
    const stale = run([[classes(1, false), hours(0.7)]], classed.state);
    assert.equal(stale.results.length, 0, 'an older compliance revision is ignored');
  });

  it('should decay freshness on a rescore past the expected interval from a freshness tag', () => {
    const { state } = run([
      [catalog(1, ['freshness:6h']), hours(0)],
      [profile(1, 0.5, 1000), hours(0.5)],
    ]);
    const rescore = acceptRescore(
      {
        id: 'r1',
        kind: 'rescore',
        target: 'quality',
        urn,
        issuedAt: iso(9),
        issuedBy: 'test',
        reason: null,
        payload: null,
      },
      urn,
    );
    assert.ok(rescore.ok);
    const later = run([[rescore.value, hours(9)]], state);
    assert.equal(last(later.results).dimensions.freshness, 0.5);
    assert.equal(last(later.results).expectedIntervalMs, 6 * 3_600_000);
  });

  it('should flag a row-count anomaly once there is history', () => {
    const inputs: [QualityInput, number][] = [[catalog(1), hours(0)]];
    for (let i = 1; i <= 7; i++) inputs.push([profile(i, i, 1000 + (i % 3) * 10), hours(i)]);
    inputs.push([profile(8, 8, 50), hours(8)]);
    const { results } = run(inputs);
    assert.equal(last(results).volumeAnomaly, true);
    assert.equal(last(results).rowCount, 50);
  });

  it('should ignore an older profile and emit nothing when the score does not change', () => {
    const { state } = run([
      [catalog(1), hours(0)],
      [profile(2, 2, 1000), hours(2)],
    ]);
    assert.equal(run([[profile(1, 1, 5), hours(3)]], state).results.length, 0);
    const same = acceptRescore(
      {
        id: 'r2',
        kind: 'rescore',
        target: 'quality',
        urn,
        issuedAt: iso(3),
        issuedBy: 't',
        reason: null,
        payload: null,
      },
      urn,
    );
    assert.ok(same.ok);
    assert.equal(run([[same.value, hours(3)]], state).results.length, 0);
  });

  it('should publish a deleted result and a tombstone when the asset is deleted', () => {
    const { state } = run([
      [catalog(1), hours(0)],
      [profile(1, 1, 1000), hours(1)],
    ]);
    const gone = run([[{ from: 'assets', asset: assetEvent(2, { urn, deleted: true }) }, hours(2)]], state);
    assert.equal(gone.emits.length, 2);
    assert.equal((gone.emits[0]?.value as QualityResult).deleted, true);
    assert.equal(gone.emits[1]?.value, null);
  });

  it('should read the strictest freshness tag and refuse malformed ones', () => {
    assert.equal(expectedInterval(['freshness:2d', 'freshness:90m']), 90 * 60_000);
    assert.equal(expectedInterval(['freshness:soon', 'freshness:0h']), 24 * 3_600_000);
  });
});
