import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import { datasetUrn } from '../../src/domain/urn.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { putPolicy, seedBuiltinPolicies } from '../../src/adapters/postgres/policy-store.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';
import { builtinPolicies } from '../../processors/compliance/policies/builtins.ts';
import { complianceProcessor } from '../../processors/compliance/processor.ts';
import { qualityProcessor } from '../../processors/quality/processor.ts';
import { alerts, compliance, quality } from '../../topics/index.ts';
import { columnProfile, emails, samples } from '../fixtures/compliance.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { deleteSubject } from '../helpers/services.ts';
import { catalogPipeline, type CatalogPipeline } from '../helpers/catalog.ts';
import { waitFor } from '../helpers/runtime.ts';
import { commandsFor, sweepsFor } from '../helpers/timers.ts';

/**
 * Each sweep on real data: metadata-sync and the indexer in-process on the test's topics, schema and
 * index prefix; the sweeps consumer group in-process on its own timers topic; a manual slot published
 * through the scheduler's path; then what the sweep changed.
 */

/** Waits until metadata-sync has applied `count` events in all. */
const applied = (pipeline: CatalogPipeline, count: number): Promise<number> =>
  waitFor(pipeline.ledgerCount, (n) => n === count, 60_000, `metadata-sync to apply ${count} events`);

/**
 * metadata-sync and the indexer on a fresh pipeline, `events` produced and applied. With `commands`,
 * metadata-sync also consumes a commands topic of the test's own (the sweeps send there).
 */
async function catalog(t: TestContext, events: readonly ChangeEvent[], options: { commands?: boolean } = {}) {
  const pipeline = await catalogPipeline(t);
  const commands = options.commands ? await commandsFor(pipeline) : undefined;
  await pipeline.start(
    metadataSync({ input: pipeline.input, output: pipeline.output, ...(commands && { commands }) }),
  );
  const indexing = await pipeline.start(indexer({ input: pipeline.output }, pipeline.alias));
  await pipeline.produce(events);
  await applied(pipeline, events.length);
  return { pipeline, indexing, commands };
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
  it('metadata-resync: should have metadata-sync mark overdue assets stale, in PostgreSQL and the index, until they are reported again', async (t) => {
    const hoursAgo = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString();
    const reported = (i: number, h: number, tags: string[] = []): ChangeEvent => ({
      ...upsertEvent(i, { tags }),
      occurredAt: hoursAgo(h),
    });
    // t0 silent for 30 h (expected daily), t1 for 2 h, t2 for 3 h but tagged hourly; t3 deleted 40 h ago.
    const gone = reported(3, 50);
    const events = [
      reported(0, 30),
      reported(1, 2),
      reported(2, 3, ['hourly']),
      gone,
      { ...gone, id: randomUUID(), kind: 'delete' as const, occurredAt: hoursAgo(40) },
    ];
    const { pipeline, commands: commandsTopic } = await catalog(t, events, { commands: true });
    const sweeps = await sweepsFor(t, pipeline, {
      commands: commandsTopic,
      env: {
        SCHEDULER_JOBS: JSON.stringify({
          'metadata-resync': { payload: { staleAfterHours: 24, staleAfterHoursBy: { 'tag:hourly': 1 } } },
        }),
      },
    });
    const staleness = async (): Promise<Record<string, boolean>> => {
      const { rows } = await pipeline.pool.query<{ name: string; stale: boolean }>(
        `SELECT name, stale_since IS NOT NULL AS stale FROM assets WHERE NOT deleted ORDER BY name`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.stale]));
    };
    const staleDocuments = async (): Promise<string[]> => {
      await pipeline.client.indices.refresh({ index: pipeline.alias });
      const response = await pipeline.client.search<{ name: string }>({
        index: pipeline.alias,
        query: { term: { stale: true } },
      });
      return response.hits.hits.map((h) => h._source?.name ?? '').sort();
    };

    const run = await sweeps.run('metadata-resync');
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual(run.outcome, { checked: 3, markStaleSent: 2 });
    await waitFor(
      staleness,
      (s) => s.t0 === true && s.t2 === true,
      60_000,
      'metadata-sync to mark t0 and t2 stale',
    );
    assert.deepEqual(await staleness(), { t0: true, t1: false, t2: true });
    await waitFor(staleDocuments, (names) => names.length === 2, 60_000, 'the stale documents');
    assert.deepEqual(await staleDocuments(), ['t0', 't2']);

    // t0 reported again: the mark goes; the next run leaves the stale t2 alone and finds nothing new.
    await pipeline.produce([reported(0, 0)]);
    await waitFor(staleness, (s) => s.t0 === false, 60_000, 't0 to be fresh again');
    await waitFor(staleDocuments, (names) => names.length === 1, 60_000, "t0's document to be fresh");
    const again = await sweeps.run('metadata-resync');
    assert.deepEqual(again.outcome, { checked: 2, markStaleSent: 0 });
  });

  it('index-reconcile: should repair missing, outdated and orphaned documents and report the drift', async (t) => {
    const events = [0, 1, 2, 3, 4].map((i) => upsertEvent(i));
    const { pipeline, indexing } = await catalog(t, events);
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
    await applied(pipeline, 7);
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
    // Everything in the past of the run: the KPI window ends at the slot (the run's time, to the second),
    // and an event stamped after it would not count (it did once, when the pipeline was quick).
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const first: ChangeEvent = { ...upsertEvent(0), occurredAt: ago(2000) };
    // t0's email column dropped later: a breaking schema change. t2 deleted.
    const dropped: ChangeEvent = {
      ...first,
      id: randomUUID(),
      occurredAt: ago(1000),
      asset: { ...first.asset, columns: first.asset.columns?.slice(0, 1) ?? [] },
    };
    const deleted: ChangeEvent = { ...upsertEvent(2), occurredAt: ago(2000) };
    const deletion: ChangeEvent = { ...deleted, id: randomUUID(), kind: 'delete', occurredAt: ago(1000) };
    const events = [first, upsertEvent(1), deleted, upsertEvent(3), mysql(0), dropped, deletion];
    const { pipeline } = await catalog(t, events);
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
      // Nothing evaluated or scored here: compliance-acceptance checks these with data.
      assetsBySensitivity: {},
      openViolationsBySeverity: {},
      escalatedViolations: 0,
      violationsOpened24h: 0,
      violationsResolved24h: 0,
      assetsByQualityBand: {},
      meanQualityScore: null,
    });
  });

  it('health-snapshot: should record every server reachable and the lag of the Steward groups, and a server down as such', async (t) => {
    const { pipeline } = await catalog(t, [upsertEvent(0)]);
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
    // Its clock starts a minute ahead: the first scheduler's clock steps a second per run and may already
    // have taken this second's slot, which would dedupe this run away.
    const unreachable = await sweepsFor(t, pipeline, {
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
      aheadMs: 60_000,
    });
    const down = await unreachable.run('health-snapshot');
    assert.equal(down.status, 'succeeded', down.error ?? '');
    assert.deepEqual(down.outcome, { healthy: false, unreachable: ['redis'] });
    assert.equal(await metricValue(unreachable.registry, 'steward_dependency_up{dependency="redis"}'), 0);
  });

  it('compliance-rescan and quality-sweep: should re-evaluate (a waiver expired) and rescore (freshness decayed) as of the slot, and ask for a rescan under an older rule set', async (t) => {
    const hour = 3_600_000;
    const profiled = (i: number, owners: string[], modifiedHoursAgo: number): ChangeEvent => {
      const event = upsertEvent(i, {
        owners,
        lastModifiedAt: new Date(Date.now() - modifiedHoursAgo * hour).toISOString(),
      });
      const ids = Array.from({ length: 40 }, (_, n) => String(n + 1));
      return {
        ...event,
        profile: {
          rowCount: 40,
          profiledAt: event.occurredAt,
          sampleSize: 40,
          columns: [columnProfile('id', ids, 'integer'), columnProfile('email', samples(emails))],
        },
      };
    };
    // t0 holds emails and has no owner, waived for 6 h; t1 has an owner. Both last modified 30 h ago
    // (expected daily: freshness 0.75 now, 0.25 at a slot 12 h ahead).
    const events = [profiled(0, [], 30), profiled(1, ['team-crm'], 30)];
    const t0 = events[0]?.asset.urn ?? '';
    const t1 = events[1]?.asset.urn ?? '';
    const { pipeline, commands: commandsTopic } = await catalog(t, events, { commands: true });
    const commandTopic = commandsTopic ?? assert.fail('no commands topic');
    await seedBuiltinPolicies(pipeline.pool);
    const owner = builtinPolicies.find((p) => p.id === 'personal-data-has-owner') ?? assert.fail();
    const waived = await putPolicy(
      pipeline.pool,
      {
        ...owner,
        waivers: [
          {
            urn: t0,
            reason: 'owner being hired',
            grantedBy: 'ana',
            expiresAt: new Date(Date.now() + 6 * hour).toISOString(),
          },
        ],
      },
      'test',
    );
    assert.ok(waived.ok && waived.changed);
    const topic = async (base: TopicDeclaration): Promise<TopicDeclaration> => ({
      ...base,
      name: await pipeline.kafka.topic(2),
    });
    const [results, alertsTopic, qualityTopic] = [
      await topic(compliance),
      await topic(alerts),
      await topic(quality),
    ];
    t.after(async () => {
      for (const x of [results, alertsTopic, qualityTopic]) await deleteSubject(valueSubject(x));
    });
    await pipeline.start(
      complianceProcessor({
        changes: pipeline.input,
        assets: pipeline.output,
        commands: commandTopic,
        results,
        alerts: alertsTopic,
      }),
    );
    await pipeline.start(
      qualityProcessor({
        changes: pipeline.input,
        assets: pipeline.output,
        compliance: results,
        commands: commandTopic,
        output: qualityTopic,
      }),
    );
    const freshness = async (): Promise<Record<string, number>> => {
      const { rows } = await pipeline.pool.query<{ urn: string; f: number }>(
        `SELECT urn, (dimensions->>'freshness')::float AS f FROM asset_quality`,
      );
      return Object.fromEntries(rows.map((r) => [r.urn, r.f]));
    };
    await waitFor(freshness, (f) => f[t0] === 0.75 && f[t1] === 0.75, 60_000, 'both assets scored');
    const openOn = async (urn: string): Promise<string[]> =>
      (
        await pipeline.pool.query<{ policy_id: string }>(
          `SELECT policy_id FROM violations WHERE urn = $1 AND status = 'open' ORDER BY policy_id`,
          [urn],
        )
      ).rows.map((r) => r.policy_id);
    await waitFor(
      () => openOn(t0),
      (open) => open.includes('personal-data-has-retention'),
      60_000,
      't0 evaluated',
    );
    assert.ok(!(await openOn(t0)).includes('personal-data-has-owner'), 'waived while the waiver lasts');

    const sweeps = await sweepsFor(t, pipeline, { commands: commandTopic, aheadMs: 12 * hour });
    const rescan = await sweeps.run('compliance-rescan');
    assert.equal(rescan.status, 'succeeded', rescan.error ?? '');
    assert.equal(rescan.outcome?.checked, 2);
    assert.equal(rescan.outcome?.reevaluateSent, 2);
    assert.equal(rescan.outcome?.rescanSent, 0);
    await waitFor(
      () => openOn(t0),
      (open) => open.includes('personal-data-has-owner'),
      60_000,
      'the waiver expired at the slot',
    );
    assert.deepEqual(await openOn(t1), ['personal-data-has-retention']);

    // t1 classified under an older rule set (as by an earlier Steward): the next rescan asks its scanner.
    await pipeline.pool.query(`UPDATE asset_compliance SET ruleset_version = '2020.01.0' WHERE urn = $1`, [
      t1,
    ]);
    const again = await sweeps.run('compliance-rescan');
    assert.equal(again.outcome?.rescanSent, 1);

    const sweep = await sweeps.run('quality-sweep');
    assert.equal(sweep.status, 'succeeded', sweep.error ?? '');
    assert.deepEqual(sweep.outcome, { checked: 2, rescoreSent: 2 });
    await waitFor(
      freshness,
      (f) => f[t0] === 0.25 && f[t1] === 0.25,
      60_000,
      'freshness decayed at the slot',
    );
    const { rows } = await pipeline.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM quality_history WHERE urn = $1`,
      [t0],
    );
    assert.ok(Number(rows[0]?.n) >= 2, 'the rescore is in the history');
  });
});
