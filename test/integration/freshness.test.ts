import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { groupPositions } from '../../src/adapters/kafka-positions.ts';
import { readFreshness, saveFreshness } from '../../src/adapters/postgres/freshness-store.ts';
import { summariseFreshness, type FreshnessSummary } from '../../src/domain/freshness.ts';
import { checksOf } from '../../src/runtime/freshness.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';

/**
 * The freshness watermark per input partition, end to end on the real stack: caught up after a burst,
 * still advancing while every partition is idle, and — with the indexer stopped while changes keep
 * coming — lagging, with the watermark held at the event time of the last record it applied.
 */
test('the freshness watermark should follow the pipeline: caught up, advancing while idle, held while lagging', async (t) => {
  const { pool, kafka, input, output, alias, start, stop, produce, ledgerCount } = await catalogPipeline(t, {
    partitions: 3,
  });
  const fast = { freshnessIntervalMs: 200 };
  const sync = metadataSync({ input, output });
  const groups = [sync.group, 'steward.indexer'];
  const summary = async (): Promise<FreshnessSummary> =>
    summariseFreshness(await readFreshness(pool, groups), new Date(), 5000);
  await start(sync, fast);
  const indexing = await start(indexer({ input: output }, alias), fast);
  try {
    await produce(Array.from({ length: 300 }, (_, i) => upsertEvent(i % 60)));
    const producedBy = new Date();
    await waitFor(ledgerCount, (n) => n >= 300, 60_000, 'the burst applied');
    const caughtUp = await waitFor(
      summary,
      (s) => s.caughtUp && s.watermark !== null && s.watermark >= producedBy.toISOString(),
      30_000,
      'both groups caught up after the burst',
    );
    assert.equal(caughtUp.partitions.length, 6, 'three partitions for each of the two groups');
    assert.equal(caughtUp.lag, 0);
    assert.equal(caughtUp.stalePartitions, 0);

    // Idle: nothing arrives, yet the watermark keeps moving with the clock.
    await sleep(1000);
    const idle = await summary();
    assert.ok(idle.caughtUp);
    assert.ok(
      (idle.watermark ?? '') > (caughtUp.watermark ?? ''),
      `${idle.watermark} after ${caughtUp.watermark}`,
    );
    assert.ok((idle.behindSeconds ?? Infinity) < 2, `idle and ${idle.behindSeconds} s behind`);

    // Lagging: the indexer stops, changes keep coming through metadata-sync.
    await indexing.stop();
    const reflected = (await readFreshness(pool, ['steward.indexer'])).map((p) => p.reflectedThrough);
    assert.ok(
      reflected.every((r) => r !== null),
      'every indexer partition applied something',
    );
    const lastApplied = new Date(Math.max(...reflected.map((r) => r?.getTime() ?? 0)));
    await produce(
      Array.from({ length: 60 }, (_, i) => ({
        ...upsertEvent(i, { description: `changed ${i}` }),
        occurredAt: new Date().toISOString(),
      })),
    );
    await waitFor(ledgerCount, (n) => n >= 360, 60_000, 'metadata-sync applied the new changes');
    const admin = kafka.kafka.admin();
    await admin.connect();
    // The check the indexer's instances run, run once by hand since none is running.
    await saveFreshness(
      pool,
      checksOf('steward.indexer', await groupPositions(admin, 'steward.indexer', [output.name]), new Map()),
    );
    await admin.disconnect();
    const lagging = summariseFreshness(await readFreshness(pool, ['steward.indexer']), new Date(), 5000);
    assert.equal(lagging.caughtUp, false);
    assert.ok(lagging.lag >= 60, `lag ${lagging.lag}`);
    for (const p of lagging.partitions.filter((p) => p.lag > 0))
      assert.ok(
        p.watermark && p.watermark <= lastApplied,
        `partition ${p.partition} held at its last record`,
      );

    // Back: the indexer catches up and the watermark passes the new changes.
    const after = new Date();
    await start(indexer({ input: output }, alias), fast);
    await waitFor(
      summary,
      (s) => s.caughtUp && (s.watermark ?? '') >= after.toISOString(),
      60_000,
      'caught up again after the restart',
    );
  } finally {
    await stop();
  }
});
