import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planReconcile, type TruthEntry } from '../../../src/adapters/elasticsearch/reindex.ts';

const truth = (entries: [string, number, boolean][]): Map<string, TruthEntry> =>
  new Map(entries.map(([urn, revision, deleted]) => [urn, { revision, deleted }]));

describe('planReconcile', () => {
  it('should change nothing when the index equals PostgreSQL', () => {
    const plan = planReconcile(
      truth([
        ['a', 3, false],
        ['b', 5, true],
      ]),
      new Map([['a', 3]]),
    );
    assert.deepEqual(plan, { write: [], remove: [] });
  });

  it('should write a live asset whose document is missing or older', () => {
    const plan = planReconcile(
      truth([
        ['c', 2, false],
        ['a', 4, false],
        ['b', 1, false],
      ]),
      new Map([
        ['a', 3],
        ['b', 1],
      ]),
    );
    assert.deepEqual(plan, { write: ['a', 'c'], remove: [] });
  });

  it('should leave a document newer than PostgreSQL alone', () => {
    assert.deepEqual(planReconcile(truth([['a', 4, false]]), new Map([['a', 7]])), { write: [], remove: [] });
  });

  it('should remove documents of deleted and unknown URNs', () => {
    const plan = planReconcile(
      truth([
        ['a', 6, true],
        ['b', 2, true],
      ]),
      new Map([
        ['unknown', 1],
        ['a', 5],
      ]),
    );
    assert.deepEqual(plan, { write: [], remove: ['a', 'unknown'] });
  });

  it('should handle empty inputs', () => {
    assert.deepEqual(planReconcile(new Map(), new Map()), { write: [], remove: [] });
    assert.deepEqual(planReconcile(new Map(), new Map([['x', 1]])), { write: [], remove: ['x'] });
    assert.deepEqual(planReconcile(truth([['x', 1, false]]), new Map()), { write: ['x'], remove: [] });
  });
});
