import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AssetSummary } from '../../src/adapters/elasticsearch/asset-search.ts';
import type {
  QualityPoint,
  SchemaVersionRow,
  ViolationRow,
} from '../../src/adapters/postgres/history-reader.ts';
import { seedBuiltinPolicies } from '../../src/adapters/postgres/policy-store.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';

import { complianceProcessor } from '../../processors/compliance/processor.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { qualityProcessor } from '../../processors/quality/processor.ts';
import { alerts, commands, compliance, quality } from '../../topics/index.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { exampleEvents } from '../fixtures/examples.ts';
import { apiFor } from '../helpers/api.ts';
import { waitFor } from '../helpers/runtime.ts';
import type { CatalogPipeline } from '../helpers/catalog.ts';
import { fullUpsertEvent } from '../fixtures/change-events.ts';

/**
 * The API over what the whole governance pipeline made of examples/events.ndjson (the README's first try)
 * plus a breaking schema change: the asset with its classes and violations, its schema and quality
 * history and its violations, all on the real stack, nothing mocked.
 */
test('the API should serve the classes, violations and history the pipeline derived from the example events', async (t) => {
  const p = await catalogPipeline(t, { partitions: 2 });
  const results = await p.topicLike(compliance, 2);
  const qualityTopic = await p.topicLike(quality, 2);
  const alertsTopic = await p.topicLike(alerts, 2);
  const commandsTopic = await p.topicLike(commands, 2);
  await seedBuiltinPolicies(p.pool);
  await p.start(metadataSync({ input: p.input, output: p.output, commands: commandsTopic }));
  await p.start(
    complianceProcessor({
      changes: p.input,
      assets: p.output,
      commands: commandsTopic,
      results,
      alerts: alertsTopic,
    }),
  );
  await p.start(
    qualityProcessor({
      changes: p.input,
      assets: p.output,
      compliance: results,
      commands: commandsTopic,
      output: qualityTopic,
    }),
  );
  await p.start(indexer({ input: p.output, notices: [results, qualityTopic] }, p.alias));
  const app = await apiFor(t, {
    pool: p.pool,
    client: p.client,
    alias: p.alias,
    codec: p.codec,
    topics: { changes: p.input, commands: commandsTopic },
  });

  try {
    const examples = exampleEvents();
    const upsert = examples[0] ?? assert.fail('no upsert');
    const urn = upsert.asset.urn;
    // Then the source drops created_at: a second, breaking schema version.
    const altered: ChangeEvent = {
      ...upsert,
      id: '0b7f7c52-3d0e-4d5e-9c1a-6a2f4f0e9a99',
      occurredAt: '2026-12-01T11:00:00.000Z',
      asset: {
        ...upsert.asset,
        owners: ['team-crm'],
        columns: (upsert.asset.columns ?? []).filter((c) => c.name !== 'created_at'),
      },
    };
    await p.produce([...examples, altered]);

    const base = `/v1/assets/${encodeURIComponent(urn)}`;
    const indexed = await waitFor(
      async () => {
        await p.client.indices.refresh({ index: p.alias });
        const response = await app.inject({ url: base });
        return response.statusCode === 200 ? response.json<{ asset: AssetSummary }>().asset : undefined;
      },
      (a) =>
        a !== undefined && a.violations.open === 2 && a.columns.length === 4 && a.quality.score !== undefined,
      90_000,
      'the asset classified, scored, with its violations and its altered schema',
    );
    const asset = indexed ?? assert.fail('not indexed');
    assert.deepEqual([...asset.classes].sort(), ['email', 'payment_card', 'phone']);
    assert.equal(asset.sensitivity, 'restricted');
    assert.deepEqual([...asset.violations.openPolicies].sort(), [
      'card-numbers-unreadable',
      'personal-data-has-retention',
    ]);
    assert.deepEqual(asset.owners, ['team-crm']);
    // The evidence behind the classes, from PostgreSQL: detector, fractions, a masked exemplar.
    const detail = (await app.inject({ url: base })).json<{
      evidence: {
        columns: { name: string; classes: { class: string; evidence: { detector: string } | null }[] }[];
      };
    }>();
    const email = detail.evidence.columns
      .find((c) => c.name === 'email')
      ?.classes.find((k) => k.class === 'email');
    assert.match(email?.evidence?.detector ?? '', /values/);

    const schema = (await app.inject({ url: `${base}/schema-history` })).json<{
      versions: SchemaVersionRow[];
    }>();
    assert.deepEqual(
      schema.versions.map((v) => v.version),
      [2, 1],
    );
    const [latest] = schema.versions;
    assert.equal(latest?.breaking, true);
    assert.deepEqual(
      latest?.changes.map((c) => [c.kind, c.column]),
      [['dropped', 'created_at']],
    );
    assert.equal(latest?.eventId, altered.id);

    const history = (await app.inject({ url: `${base}/quality-history` })).json<{ points: QualityPoint[] }>();
    assert.ok(history.points.length >= 1);
    assert.equal(history.points[0]?.score, asset.quality.score ?? null);

    const open = (await app.inject({ url: `${base}/violations?status=open` })).json<{
      violations: ViolationRow[];
    }>();
    assert.deepEqual(open.violations.map((v) => v.policyId).sort(), [
      'card-numbers-unreadable',
      'personal-data-has-retention',
    ]);
    assert.ok(open.violations.every((v) => v.status === 'open' && v.reasons.length > 0));
    // Evidence only: no sampled value is served by any of these routes.
    for (const route of ['', '/schema-history', '/quality-history', '/violations']) {
      const body = (await app.inject({ url: `${base}${route}` })).body;
      for (const sample of examples[1]?.profile?.columns.flatMap((c) => c.samples ?? []) ?? [])
        assert.ok(!body.includes(sample), `${route || '/'} serves no sample (${sample})`);
    }
    await governByApi(app, p, urn);
  } finally {
    await p.stop();
  }
});

interface Indexed {
  asset: AssetSummary;
}

/** Curation, decisions, acknowledgement, a policy's life, stats, sources and ingest, through the API. */
async function governByApi(app: FastifyInstance, p: CatalogPipeline, urn: string): Promise<void> {
  const base = `/v1/assets/${encodeURIComponent(urn)}`;
  const current = async (): Promise<AssetSummary | undefined> => {
    await p.client.indices.refresh({ index: p.alias });
    const response = await app.inject({ url: base });
    return response.statusCode === 200 ? response.json<Indexed>().asset : undefined;
  };

  // A new policy: stored as version 1, audited, and every asset re-evaluated against it.
  const policy = {
    id: 'gold-tier-declared',
    title: 'Tier declared',
    description: 'Every asset says whether it is gold data.',
    severity: 'low',
    scope: {},
    assert: { kind: 'has-tag', anyOf: ['gold'] },
    remediation: 'Tag it gold.',
    slaHours: 24,
    references: [],
    waivers: [],
    enabled: true,
  };
  const created = await app.inject({ method: 'POST', url: '/v1/policies', payload: policy });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json<{ policy: { version: number } }>().policy.version, 1);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/policies', payload: policy })).statusCode, 409);
  await waitFor(
    current,
    (a) => a?.violations.openPolicies.includes('gold-tier-declared') === true,
    60_000,
    'the new policy evaluated on the asset',
  );

  // Curation fixes two violations: retention and the tier tag; the source's next report keeps it.
  const patch = { owners: ['data-office'], tags: ['gold'], retention: 'P90D' };
  const curated = await app.inject({ method: 'PATCH', url: base, payload: patch });
  assert.equal(curated.statusCode, 202, curated.body);
  assert.deepEqual(curated.json<{ before: { owners: string[] } }>().before.owners, ['team-crm']);
  // A steward rejects the phone class on the phone column.
  const rejected = await app.inject({
    method: 'POST',
    url: `${base}/columns/phone/classifications/phone/reject`,
    payload: { reason: 'internal extension numbers' },
  });
  assert.equal(rejected.statusCode, 202, rejected.body);
  assert.equal(
    (await app.inject({ method: 'POST', url: `${base}/columns/nope/classifications/phone/reject` }))
      .statusCode,
    404,
  );
  const fixed = await waitFor(
    current,
    (a) =>
      a !== undefined &&
      a.owners.includes('data-office') &&
      !a.classes.includes('phone') &&
      a.violations.open === 1,
    60_000,
    'curation and the decision applied, two violations resolved',
  );
  assert.deepEqual(fixed?.owners, ['data-office']);
  assert.deepEqual([...(fixed?.tags ?? [])].sort(), ['gold', 'retention:P90D', 'tier1']);
  assert.deepEqual(fixed?.violations.openPolicies, ['card-numbers-unreadable']);

  // Violations across assets, filtered, and an acknowledgement (idempotent).
  const resolved = (
    await app.inject({
      url: '/v1/violations?status=resolved&policy=gold-tier-declared&policy=personal-data-has-retention',
    })
  ).json<{ violations: { policyId: string; urn: string }[] }>();
  assert.deepEqual(resolved.violations.map((v) => v.policyId).sort(), [
    'gold-tier-declared',
    'personal-data-has-retention',
  ]);
  const open = (
    await app.inject({ url: '/v1/violations?status=open&owner=data-office&severity=critical&severity=high' })
  ).json<{ violations: { id: string; policyId: string; acknowledged: unknown }[] }>();
  const card =
    open.violations.find((v) => v.policyId === 'card-numbers-unreadable') ?? assert.fail('no card');
  assert.equal(card.acknowledged, null);
  const ack = async () =>
    (
      await app.inject({
        method: 'POST',
        url: `/v1/violations/${encodeURIComponent(card.id)}/acknowledge`,
        payload: { note: 'masking ships Monday' },
      })
    ).json<{ created: boolean; acknowledged: { note: string } }>();
  assert.deepEqual([(await ack()).created, (await ack()).created], [true, false]);
  const acknowledged = (await app.inject({ url: '/v1/violations?acknowledged=true' })).json<{
    violations: { id: string; acknowledged: { by: string; note: string } }[];
  }>();
  assert.deepEqual(
    acknowledged.violations.map((v) => [v.id, v.acknowledged.by, v.acknowledged.note]),
    [[card.id, 'anonymous', 'masking ships Monday']],
  );

  // Disabling the policy stores version 2; its history keeps both.
  const disabled = await app.inject({ method: 'DELETE', url: `/v1/policies/${policy.id}` });
  assert.equal(disabled.statusCode, 200, disabled.body);
  const versions = (await app.inject({ url: `/v1/policies/${policy.id}` })).json<{
    versions: { policy: { version: number; enabled: boolean } }[];
  }>();
  assert.deepEqual(
    versions.versions.map((v) => [v.policy.version, v.policy.enabled]),
    [
      [2, false],
      [1, true],
    ],
  );

  // Every mutation is in the audit log, newest first.
  const audit = (await app.inject({ url: '/v1/audit' })).json<{
    entries: { action: string; target: string }[];
  }>();
  assert.deepEqual(
    audit.entries.map((e) => e.action),
    ['policy.disable', 'violation.acknowledge', 'classification.reject', 'asset.curate', 'policy.create'],
  );
  assert.equal(audit.entries.find((e) => e.action === 'asset.curate')?.target, urn);

  // KPIs and sources from PostgreSQL.
  const stats = (await app.inject({ url: '/v1/stats' })).json<{
    kpis: { assets: number; ownershipCoverage: number; openViolationsBySeverity: Record<string, number> };
  }>();
  assert.equal(stats.kpis.assets, 1);
  assert.equal(stats.kpis.ownershipCoverage, 1);
  assert.deepEqual(stats.kpis.openViolationsBySeverity, { critical: 1 });
  const sources = (await app.inject({ url: '/v1/sources' })).json<{
    sources: { platform: string; instance: string; assets: number; stale: boolean; lastEventAt: string }[];
  }>();
  assert.deepEqual(
    sources.sources.map((s) => [s.platform, s.instance, s.assets, s.stale]),
    [['postgres', 'prod-eu', 1, false]],
  );
  assert.equal(sources.sources[0]?.lastEventAt, '2026-12-01T11:00:00.000Z');

  // HTTP ingest: the valid event reaches the index, the invalid one is answered.
  const fresh: ChangeEvent = {
    ...fullUpsertEvent(),
    id: '6f1c8a52-1d0e-4d5e-9c1a-6a2f4f0e9a01',
    asset: {
      ...fullUpsertEvent().asset,
      urn: 'urn:steward:dataset:postgres:prod-eu:shop.public.orders',
      name: 'orders',
      qualifiedName: 'shop.public.orders',
    },
  };
  const ingested = await app.inject({
    method: 'POST',
    url: '/v1/events',
    payload: [fresh, { ...fresh, id: 'nope' }],
  });
  assert.equal(ingested.statusCode, 202, ingested.body);
  assert.deepEqual(ingested.json<{ accepted: { id: string }[] }>().accepted, [{ index: 0, id: fresh.id }]);
  await waitFor(
    async () => {
      await p.client.indices.refresh({ index: p.alias });
      return (await app.inject({ url: `/v1/assets/${encodeURIComponent(fresh.asset.urn)}` })).statusCode;
    },
    (status) => status === 200,
    60_000,
    'the ingested asset indexed',
  );
}
