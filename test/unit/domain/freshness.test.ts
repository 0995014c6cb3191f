import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summariseFreshness, watermarkOf, type PartitionFreshness } from '../../../src/domain/freshness.ts';

const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const row = (partition: number, change: Partial<PartitionFreshness> = {}): PartitionFreshness => ({
  group: 'steward.indexer',
  topic: 'assets',
  partition,
  lag: 0,
  caughtUpAt: at(50),
  reflectedThrough: at(10),
  checkedAt: at(50),
  ...change,
});

describe('watermarkOf', () => {
  it('should be the caught-up time when the lag is 0, whatever was applied', () => {
    assert.deepEqual(watermarkOf(row(0)), at(50));
  });

  it('should be the event time of the last record applied while the partition lags', () => {
    assert.deepEqual(watermarkOf(row(0, { lag: 3 })), at(10));
  });

  it('should be unknown while lagging with nothing applied yet', () => {
    assert.equal(watermarkOf(row(0, { lag: 3, reflectedThrough: null })), null);
  });
});

describe('summariseFreshness', () => {
  it('should take the oldest partition watermark, the total lag, and how far behind now it is', () => {
    const summary = summariseFreshness(
      [row(0), row(1, { lag: 4, reflectedThrough: at(20) }), row(2, { caughtUpAt: at(45) })],
      at(60),
      10_000,
    );
    assert.equal(summary.watermark, at(20).toISOString());
    assert.equal(summary.caughtUp, false);
    assert.equal(summary.lag, 4);
    assert.equal(summary.behindSeconds, 40);
    assert.equal(summary.stalePartitions, 0);
    assert.deepEqual(
      summary.partitions.map((p) => p.watermark),
      [at(50), at(20), at(45)],
    );
  });

  it('should say caught up when every partition is', () => {
    const summary = summariseFreshness([row(0), row(1, { caughtUpAt: at(48) })], at(50), 10_000);
    assert.equal(summary.caughtUp, true);
    assert.equal(summary.watermark, at(48).toISOString());
    assert.equal(summary.behindSeconds, 2);
  });

  it('should be unknown when any partition is, and when there are no partitions at all', () => {
    const unknown = summariseFreshness([row(0), row(1, { lag: 1, reflectedThrough: null })], at(60), 10_000);
    assert.equal(unknown.watermark, null);
    assert.equal(unknown.behindSeconds, null);
    const empty = summariseFreshness([], at(60), 10_000);
    assert.equal(empty.watermark, null);
    assert.equal(empty.caughtUp, false);
  });

  it('should count the partitions whose group stopped reporting', () => {
    const summary = summariseFreshness([row(0, { checkedAt: at(10) }), row(1)], at(60), 30_000);
    assert.equal(summary.stalePartitions, 1);
  });
});
