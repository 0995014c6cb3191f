import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssetDocument } from '../../src/adapters/elasticsearch/asset-index.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { endpoints } from '../helpers/services.ts';
import { killAfter, processEnv, spawnFixture, waitFor, type ProcessorChild } from '../helpers/runtime.ts';

/**
 * kill -9 metadata-sync between its PostgreSQL commit and the publication of the asset's new state: the
 * change is committed (and its event is in the ledger, so the redelivered record is a duplicate) but was
 * never emitted. The restarted instance's outbox sweep publishes it, and it reaches the index — once.
 */
test('metadata-sync killed between its commit and its emit should still get the change to the index', async (t) => {
  const { pool, kafka, schema, client, alias, input, output, dlqTopic, retryTopic, start, stop, produce } =
    await catalogPipeline(t, { partitions: 2 });
  const databaseUrl = `${endpoints().databaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const children: ProcessorChild[] = [];
  killAfter(t, children);
  const run = (killAfterCommit: boolean): ProcessorChild => {
    const child = spawnFixture('test/fixtures/run-metadata-sync.ts', {
      ...processEnv(databaseUrl),
      STEWARD_FIXTURE: JSON.stringify({
        input: input.name,
        output: output.name,
        dlq: dlqTopic.name,
        retry: retryTopic.name,
        killAfterCommit,
      }),
    });
    children.push(child);
    return child;
  };
  const admin = kafka.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const published = async (): Promise<number> =>
    (await admin.fetchTopicOffsets(output.name)).reduce((sum, p) => sum + Number(p.high), 0);

  try {
    const event = upsertEvent(7, { description: 'committed, not yet emitted' });
    const urn = event.asset.urn;
    await produce([event]);

    const crashed = run(true);
    assert.deepEqual(await crashed.exited, { code: null, signal: 'SIGKILL' });
    const committed = await pool.query<{ revision: string }>('SELECT revision FROM assets WHERE urn = $1', [
      urn,
    ]);
    assert.equal(committed.rows[0]?.revision, '1', 'the change is committed');
    const outbox = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM steward_outbox WHERE key = $1 AND published_at IS NULL',
      [urn],
    );
    assert.equal(outbox.rows[0]?.n, '1', 'its new state waits in the outbox');
    assert.equal(await published(), 0, 'nothing reached the assets topic');

    await start(indexer({ input: output }, alias));
    const restarted = run(false);
    const indexed = await waitFor(
      () => client.get<AssetDocument>({ index: alias, id: urn }).catch(() => undefined),
      (doc) => doc?._version === 1,
      90_000,
      'the change indexed after the restart',
    );
    assert.equal(indexed?._source?.description, 'committed, not yet emitted');
    assert.equal(await published(), 1, 'published once: the redelivered event was a duplicate');
    const left = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM steward_outbox WHERE published_at IS NULL',
    );
    assert.equal(left.rows[0]?.n, '0');
    restarted.child.kill('SIGTERM');
    assert.equal((await restarted.exited).code, 0);
  } finally {
    await stop();
  }
});
