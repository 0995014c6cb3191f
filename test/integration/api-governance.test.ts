import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AssetSummary } from '../../src/adapters/elasticsearch/asset-search.ts';
import type {
  QualityPoint,
  SchemaVersionRow,
  ViolationRow,
} from '../../src/adapters/postgres/history-reader.ts';
import { seedBuiltinPolicies } from '../../src/adapters/postgres/policy-store.ts';
import { validateChangeEvent, type ChangeEvent } from '../../src/domain/change-event.ts';
import { valueSubject, type TopicDeclaration } from '../../src/domain/topic.ts';

import { complianceProcessor } from '../../processors/compliance/processor.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { qualityProcessor } from '../../processors/quality/processor.ts';
import { alerts, commands, compliance, quality } from '../../topics/index.ts';
import { catalogPipeline } from '../helpers/catalog.ts';
import { apiFor } from '../helpers/api.ts';
import { waitFor } from '../helpers/runtime.ts';
import { deleteSubject } from '../helpers/services.ts';

/**
 * The API over what the whole governance pipeline made of examples/events.ndjson (the README's first try)
 * plus a breaking schema change: the asset with its classes and violations, its schema and quality
 * history and its violations, all on the real stack, nothing mocked.
 */
test('the API should serve the classes, violations and history the pipeline derived from the example events', async (t) => {
  const p = await catalogPipeline(t, { partitions: 2 });
  const named = async (base: TopicDeclaration): Promise<TopicDeclaration> => ({
    ...base,
    name: await p.kafka.topic(2),
  });
  const results = await named(compliance);
  const qualityTopic = await named(quality);
  const alertsTopic = await named(alerts);
  const commandsTopic = await named(commands);
  t.after(async () => {
    for (const topic of [results, qualityTopic, alertsTopic, commandsTopic])
      await deleteSubject(valueSubject(topic));
  });
  await seedBuiltinPolicies(p.pool);
  await p.start(metadataSync({ input: p.input, output: p.output }));
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
  const app = await apiFor(t, { pool: p.pool, client: p.client, alias: p.alias });

  try {
    const lines = readFileSync(new URL('../../examples/events.ndjson', import.meta.url), 'utf8')
      .trim()
      .split('\n');
    const examples = lines.map((line) => {
      const parsed = validateChangeEvent(JSON.parse(line));
      return parsed.ok ? parsed.event : assert.fail(JSON.stringify(parsed.errors));
    });
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
  } finally {
    await p.stop();
  }
});
