import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppliedTimes, checksOf } from '../../../src/runtime/freshness.ts';

const readAt = new Date('2026-01-01T00:01:00Z');

describe('AppliedTimes', () => {
  it('should keep the newest event time per partition until drained, and restore a failed drain', () => {
    const applied = new AppliedTimes();
    applied.observe('a', 0, 2000);
    applied.observe('a', 0, 1000);
    applied.observe('a', 1, 500);
    applied.observe('a', 2, Number.NaN);
    const drained = applied.drain();
    assert.deepEqual(
      [...drained].map(([k, d]) => [k, d.getTime()]),
      [
        ['a/0', 2000],
        ['a/1', 500],
      ],
    );
    assert.equal(applied.drain().size, 0);
    applied.observe('a', 0, 1500);
    applied.restore('a/0', new Date(2000));
    assert.equal(applied.drain().get('a/0')?.getTime(), 2000);
  });
});

describe('checksOf', () => {
  it('should mark a partition caught up at the time its end offset was read when the group reached it', () => {
    const checks = checksOf(
      'g',
      [
        { topic: 't', partition: 0, committed: 10, end: 10, readAt },
        { topic: 't', partition: 1, committed: 4, end: 10, readAt },
        { topic: 't', partition: 2, committed: 0, end: 0, readAt },
      ],
      new Map([['t/1', new Date(1000)]]),
    );
    assert.deepEqual(checks, [
      { group: 'g', topic: 't', partition: 0, lag: 0, caughtUpAt: readAt, reflectedThrough: null },
      { group: 'g', topic: 't', partition: 1, lag: 6, caughtUpAt: null, reflectedThrough: new Date(1000) },
      { group: 'g', topic: 't', partition: 2, lag: 0, caughtUpAt: readAt, reflectedThrough: null },
    ]);
  });
});
