import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { datasetUrn } from '../../src/domain/urn.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { catalogPipeline, type CatalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';
import { sweepsFor } from '../helpers/timers.ts';

/**
 * Each sweep on real data: metadata-sync and the indexer in-process on the test's topics, schema and
 * index prefix; the sweeps consumer group in-process on its own timers topic; a manual slot published
 * through the scheduler's path; then what the sweep changed.
 */

async function catalog(t: TestContext, events: readonly ChangeEvent[]): Promise<CatalogPipeline> {
  const pipeline = await catalogPipeline(t);
  await pipeline.start(metadataSync({ input: pipeline.input, output: pipeline.output }));
  await pipeline.start(indexer({ input: pipeline.output }, pipeline.alias));
  await pipeline.produce(events);
  await waitFor(
    pipeline.ledgerCount,
    (n) => n === events.length,
    60_000,
    'metadata-sync to apply the events',
  );
  return pipeline;
}

const indexedUrns = async (pipeline: CatalogPipeline): Promise<string[]> => {
  await pipeline.client.indices.refresh({ index: pipeline.alias });
  const response = await pipeline.client.search({ index: pipeline.alias, size: 100, _source: false });
  return response.hits.hits.flatMap((hit) => (hit._id ? [hit._id] : [])).sort();
};

const metricValue = async (registry: { metrics(): Promise<string> }, line: string): Promise<number> => {
  const found = (await registry.metrics()).split('\n').find((l) => l.startsWith(line));
  return Number(found?.split(' ').pop());
};

describe('sweeps on real data', () => {
  it('index-reconcile: should repair missing, outdated and orphaned documents and report the drift', async (t) => {
    const pipeline = await catalogPipeline(t);
    await pipeline.start(metadataSync({ input: pipeline.input, output: pipeline.output }));
    const indexing = await pipeline.start(indexer({ input: pipeline.output }, pipeline.alias));
    const events = [0, 1, 2, 3, 4].map((i) => upsertEvent(i));
    await pipeline.produce(events);
    await waitFor(
      () => indexedUrns(pipeline),
      (found) => found.length === 5,
      60_000,
      'five documents',
    );
    const sweeps = await sweepsFor(t, pipeline);

    // Drift while the indexer is down: t1 changed (its document is now outdated), t5 created (missing),
    // and a document for an asset PostgreSQL never heard of (orphaned).
    await indexing.stop();
    const changed: ChangeEvent = {
      ...upsertEvent(1, { owners: ['team-new'] }),
      occurredAt: new Date(Date.now() + 1000).toISOString(),
    };
    const created = upsertEvent(5);
    await pipeline.produce([changed, created]);
    await waitFor(pipeline.ledgerCount, (n) => n === 7, 60_000, 'metadata-sync to apply the changes');
    const ghost = datasetUrn({ platform: 'postgres', instance: 'test', path: ['shop', 'public', 'ghost'] });
    await pipeline.client.index({
      index: pipeline.alias,
      id: ghost,
      version: 1,
      version_type: 'external',
      document: { urn: ghost, name: 'ghost' },
      refresh: true,
    });

    const run = await sweeps.run('index-reconcile');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual(
      { written: run.outcome?.written, deleted: run.outcome?.deleted, drift: run.outcome?.drift },
      { written: 2, deleted: 1, drift: 3 },
    );
    const urns = [...events, created].map((e) => e.asset.urn).sort();
    assert.deepEqual(await indexedUrns(pipeline), urns, 'the index has what PostgreSQL has');
    const owners = await pipeline.client.get<{ owners: string[] }>({
      index: pipeline.alias,
      id: changed.asset.urn,
    });
    assert.deepEqual(owners._source?.owners, ['team-new'], 'the outdated document was rewritten');
    assert.equal(await metricValue(sweeps.registry, 'steward_index_drift_documents{kind="written"}'), 2);

    const again = await sweeps.run('index-reconcile');
    assert.equal(again.outcome?.drift, 0, 'nothing left to repair');
  });

  it('kpi-aggregate: should snapshot the catalog KPIs for its slot', async (t) => {
    const mysql = (i: number): ChangeEvent => {
      const base = upsertEvent(100 + i, { owners: [], tags: ['tier2'] });
      const name = `m${i}`;
      return {
        ...base,
        source: { platform: 'mysql', instance: 'crm' },
        asset: {
          ...base.asset,
          urn: datasetUrn({ platform: 'mysql', instance: 'crm', path: ['crm', name] }),
          name,
          qualifiedName: `crm.${name}`,
        },
      };
    };
    const first = upsertEvent(0);
    // t0's email column dropped later: a breaking schema change. t2 deleted.
    const dropped: ChangeEvent = {
      ...first,
      id: randomUUID(),
      occurredAt: new Date(Date.now() + 1000).toISOString(),
      asset: { ...first.asset, columns: first.asset.columns?.slice(0, 1) ?? [] },
    };
    const deleted = upsertEvent(2);
    const deletion: ChangeEvent = {
      ...deleted,
      id: randomUUID(),
      kind: 'delete',
      occurredAt: new Date(Date.now() + 1000).toISOString(),
    };
    const events = [first, upsertEvent(1), deleted, upsertEvent(3), mysql(0), dropped, deletion];
    const pipeline = await catalog(t, events);
    const sweeps = await sweepsFor(t, pipeline);

    const run = await sweeps.run('kpi-aggregate');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const { rows } = await pipeline.pool.query<{ kpis: Record<string, unknown> }>(
      `SELECT kpis FROM steward_kpi_snapshots WHERE slot = $1`,
      [run.slot],
    );
    assert.deepEqual(rows[0]?.kpis, {
      assets: 4,
      assetsByPlatform: { mysql: 1, postgres: 3 },
      assetsByType: { table: 4 },
      ownershipCoverage: 0.75,
      tagCoverage: 0.25,
      placeholders: 0,
      deletedAssets: 1,
      schemaChanges24h: 1,
      breakingChanges24h: 1,
    });
  });

  it('health-snapshot: should record every server reachable and the lag of the Steward groups, and a server down as such', async (t) => {
    const pipeline = await catalog(t, [upsertEvent(0)]);
    const sweeps = await sweepsFor(t, pipeline);
    await sweeps.run('health-snapshot'); // commits the group's first offset
    const run = await sweeps.run('health-snapshot');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const { rows } = await pipeline.pool.query<{
      healthy: boolean;
      checks: Record<string, { ok: boolean }>;
      lag: Record<string, { total: number; topics: Record<string, number> }>;
    }>(`SELECT healthy, checks, lag FROM steward_health_snapshots WHERE slot = $1`, [run.slot]);
    const row = rows[0];
    assert.equal(row?.healthy, true);
    assert.deepEqual(Object.keys(row.checks).sort(), [
      'elasticsearch',
      'kafka',
      'postgres',
      'redis',
      'schemaRegistry',
    ]);
    const sweepsGroups = Object.entries(row.lag).filter(([group]) => group.startsWith('steward.sweeps_'));
    assert.ok(
      sweepsGroups.some(([, lag]) => Object.keys(lag.topics).length === 1),
      `the sweeps group's lag is recorded: ${JSON.stringify(row.lag)}`,
    );

    // The same sweep where Redis cannot be reached: a finding in the row, not a failed run.
    const unreachable = await sweepsFor(t, pipeline, { REDIS_URL: 'redis://127.0.0.1:1' });
    const down = await unreachable.run('health-snapshot');
    assert.equal(down.status, 'succeeded', down.error ?? '');
    assert.deepEqual(down.outcome, { healthy: false, unreachable: ['redis'] });
    assert.equal(await metricValue(unreachable.registry, 'steward_dependency_up{dependency="redis"}'), 0);
  });
});
