import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssetDocument } from '../../src/adapters/elasticsearch/asset-index.ts';
import { ensureAssetIndex } from '../../src/adapters/elasticsearch/asset-index.ts';
import type { AssetSummary } from '../../src/adapters/elasticsearch/asset-search.ts';
import { indexer } from '../../processors/indexer/processor.ts';
import { metadataSync } from '../../processors/metadata-sync/processor.ts';
import { assetDocuments } from '../fixtures/asset-documents.ts';
import { upsertEvent } from '../fixtures/events.ts';
import { assetIndexFor, catalogPipeline, indexAll } from '../helpers/catalog.ts';
import { apiFor } from '../helpers/api.ts';
import { waitFor } from '../helpers/runtime.ts';
import { postgresSchemaFor } from '../helpers/services.ts';

/** The query API's read routes over the real Elasticsearch and PostgreSQL (nothing mocked). */

interface SearchBody {
  hits: { asset: AssetSummary; highlights: Record<string, string[]> }[];
  total: { value: number; relation: string };
  facets: Record<string, { value: string; count: number }[]>;
  next: string | null;
  freshness: { watermark: string | null; caughtUp: boolean; lag: number } | null;
}

test('search should page every matching asset exactly once, facet them, and survive hostile input', async (t) => {
  const { client, prefix, alias } = assetIndexFor(t);
  await ensureAssetIndex(client, prefix);
  const docs: AssetDocument[] = assetDocuments(200, new Date());
  await indexAll(client, alias, docs);
  const app = await apiFor(t, { pool: (await postgresSchemaFor(t)).pool, client, alias });
  const get = async (url: string): Promise<SearchBody> => {
    const response = await app.inject({ url });
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    return response.json<SearchBody>();
  };

  // Pages of 7, by quality: every live asset once, in order, and the last page ends the cursor.
  const seen: AssetSummary[] = [];
  let next: string | null = '';
  let pages = 0;
  while (next !== null) {
    const page = await get(`/v1/search?sort=quality&size=7${next ? `&cursor=${next}` : ''}`);
    seen.push(...page.hits.map((h) => h.asset));
    next = page.next;
    pages++;
  }
  const live = docs.filter((d) => !d.deleted);
  assert.equal(seen.length, live.length);
  assert.equal(new Set(seen.map((a) => a.urn)).size, live.length);
  assert.equal(pages, Math.ceil(live.length / 7) + (live.length % 7 === 0 ? 1 : 0));
  const scores = seen.map((a) => a.quality.score ?? -1);
  const scored = scores.filter((s) => s >= 0);
  assert.deepEqual(
    scored,
    [...scored].sort((a, b) => b - a),
    'scores descend; unscored last',
  );

  // A filter and its facet: selecting postgres keeps the other platforms' counts visible.
  const postgres = await get('/v1/search?platform=postgres&size=100');
  const wantPostgres = live.filter((d) => d.platform === 'postgres');
  assert.equal(postgres.total.value, wantPostgres.length);
  assert.ok(postgres.hits.every((h) => h.asset.platform === 'postgres'));
  const platformFacet = new Map(postgres.facets.platform?.map((b) => [b.value, b.count]));
  for (const platform of new Set(live.map((d) => d.platform)))
    assert.equal(platformFacet.get(platform), live.filter((d) => d.platform === platform).length, platform);

  // Identifier-aware text with highlights, and the asset behind it.
  const phone = await get('/v1/search?q=phone%20no');
  assert.ok(phone.hits.some((h) => h.asset.columns.some((c) => c.name === 'cust_phone_no')));
  const suggestions = (await app.inject({ url: '/v1/autocomplete?prefix=custPh' })).json<{
    suggestions: { kind: string; text: string; urn: string }[];
  }>().suggestions;
  const column = suggestions.find((s) => s.kind === 'column' && s.text === 'cust_phone_no');
  assert.ok(column, JSON.stringify(suggestions));
  const detail = await app.inject({ url: `/v1/assets/${encodeURIComponent(column.urn)}` });
  assert.equal(detail.statusCode, 200);
  assert.equal(detail.json<{ asset: AssetSummary }>().asset.urn, column.urn);

  // Hostile search strings are text, never syntax: no 5xx, no unbounded query.
  for (const q of [
    '*',
    'a*b?c',
    '/.*/',
    'name:(x OR y)',
    '"unclosed',
    '((((((((((',
    'x~10',
    '\\',
    '<script>',
    'a'.repeat(256),
  ]) {
    const response = await app.inject({ url: `/v1/search?q=${encodeURIComponent(q)}` });
    assert.equal(response.statusCode, 200, `${q}: ${response.body}`);
  }
});

test('search should report the pipeline freshness and find what the pipeline indexed', async (t) => {
  const { pool, alias, client, input, output, start, stop, produce, ledgerCount } = await catalogPipeline(t, {
    partitions: 2,
  });
  const sync = metadataSync({ input, output });
  const indexing = indexer({ input: output }, alias);
  const groups = [sync.group, indexing.group];
  await start(sync, { freshnessIntervalMs: 200 });
  await start(indexing, { freshnessIntervalMs: 200 });
  const app = await apiFor(t, { pool, client, alias, freshnessGroups: groups });
  // Stopped here, not in t.after: after-hooks run in order, and the fixtures' would delete the topics first.
  try {
    const events = Array.from({ length: 40 }, (_, i) => upsertEvent(i));
    await produce(events);
    const producedBy = new Date().toISOString();
    await waitFor(ledgerCount, (n) => n >= 40, 60_000, 'the events applied');
    const body = await waitFor(
      async () => {
        await client.indices.refresh({ index: alias });
        return (await app.inject({ url: '/v1/search?size=100' })).json<SearchBody>();
      },
      (b) =>
        b.total.value === 40 && b.freshness?.caughtUp === true && (b.freshness.watermark ?? '') >= producedBy,
      60_000,
      'every asset indexed and the watermark past the last event',
    );
    assert.equal(body.freshness?.lag, 0);
    assert.deepEqual(new Set(body.hits.map((h) => h.asset.urn)), new Set(events.map((e) => e.asset.urn)));
  } finally {
    await stop();
  }
});
