import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';
import { postgresSourceFor } from '../helpers/scan-sources.ts';
import { commandsFor, sweepsFor } from '../helpers/timers.ts';

/**
 * Scheduled scans: a source declared with a schedule gets a `scan-<source>` job; its tick runs a scan in
 * the sweeps group, recorded with the run. metadata-resync counts the scanner's listing as the source
 * reporting the asset (an unchanged table publishes nothing), so only a table no scan listed goes stale.
 */
test('a scheduled source is scanned by its job, and its listed tables are not marked stale', async (t) => {
  const db = await postgresSourceFor(t);
  await db.exec(`CREATE TABLE listed (id bigint PRIMARY KEY, email text); INSERT INTO listed VALUES (1, 'a@example.com');
    CREATE TABLE forgotten (id bigint PRIMARY KEY)`);
  const pipeline = await catalogPipeline(t, { partitions: 2 });
  const commands = await commandsFor(pipeline);
  await pipeline.start(metadataSync({ input: pipeline.input, output: pipeline.output, commands }));
  await pipeline.start(indexer({ input: pipeline.output }, pipeline.alias));
  const dir = mkdtempSync(join(tmpdir(), 'steward-sources-'));
  const file = join(dir, 'sources.json');
  writeFileSync(
    file,
    JSON.stringify({
      sources: [
        {
          name: 'nightly',
          platform: 'postgres',
          connection: { env: 'STEWARD_TEST_NIGHTLY_URL' },
          include: [`${db.schema}.*`],
          schedule: { cron: '0 3 * * *' },
        },
      ],
    }),
  );
  process.env['STEWARD_TEST_NIGHTLY_URL'] = db.url;
  t.after(() => delete process.env['STEWARD_TEST_NIGHTLY_URL']);
  // The slots are two days ahead, so both tables' reports are overdue unless a scan listed them since.
  const sweeps = await sweepsFor(t, pipeline, {
    commands,
    aheadMs: 48 * 3_600_000,
    env: { SCAN_SOURCES_FILE: file },
  });

  const run = await sweeps.run('scan-nightly');
  assert.equal(run.status, 'succeeded', run.error ?? '');
  assert.deepEqual(
    { status: run.outcome?.['status'], seen: run.outcome?.['seen'], upserts: run.outcome?.['upserts'] },
    { status: 'succeeded', seen: 2, upserts: 2 },
  );
  const names = async () =>
    (
      await pipeline.pool.query<{ name: string }>(`SELECT name FROM assets WHERE NOT deleted ORDER BY name`)
    ).rows.map((r) => r.name);
  await waitFor(names, (n) => n.length === 2, 30_000, 'the scanned tables in the catalog');

  // A later scan listed `listed` (it publishes nothing: unchanged); `forgotten` was not seen since.
  await pipeline.pool.query(
    `UPDATE scan_tables SET last_seen_at = now() + interval '47 hours' WHERE table_name = 'listed'`,
  );
  const resync = await sweeps.run('metadata-resync');
  assert.equal(resync.status, 'succeeded', resync.error ?? '');
  assert.deepEqual(resync.outcome, { checked: 2, markStaleSent: 1 });
  const stale = async () =>
    (
      await pipeline.pool.query<{ name: string }>(
        `SELECT name FROM assets WHERE stale_since IS NOT NULL ORDER BY name`,
      )
    ).rows.map((r) => r.name);
  await waitFor(stale, (s) => s.length === 1, 30_000, 'metadata-sync to mark the unlisted table stale');
  assert.deepEqual(await stale(), ['forgotten']);
});
