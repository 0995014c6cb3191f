import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import type { InjectOptions } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { ensureAssetIndex } from '../../src/adapters/elasticsearch/asset-index.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { fullUpsertEvent } from '../fixtures/change-events.ts';
import { apiFor } from '../helpers/api.ts';
import { assetIndexFor } from '../helpers/catalog.ts';
import { endpoints, postgresSchemaFor } from '../helpers/services.ts';

const urn = encodeURIComponent('urn:steward:dataset:postgres:prod:shop.public.customers');
const codeOf = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

/** The client-error classes on the real stack: each with its status and stable code, never a 5xx. */
test('client mistakes should be 4xx with their code: 400, 404, 409, 413, 415', async (t) => {
  const { pool, schema } = await postgresSchemaFor(t);
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  const { client, prefix, alias } = assetIndexFor(t);
  await ensureAssetIndex(client, prefix);
  const app = await apiFor(t, { pool, client, alias });
  const cases: [InjectOptions, number, string][] = [
    [{ url: '/v1/search?size=100000' }, 400, 'STW_BAD_REQUEST'],
    [{ url: '/v1/search?cursor=not-a-cursor' }, 400, 'STW_BAD_CURSOR'],
    [{ url: `/v1/assets/${urn}` }, 404, 'STW_NOT_FOUND'],
    [{ url: '/v1/nowhere' }, 404, 'STW_NOT_FOUND'],
    [{ method: 'PATCH', url: `/v1/assets/${urn}`, payload: { owners: ['x'] } }, 404, 'STW_NOT_FOUND'],
    [
      { method: 'PATCH', url: `/v1/assets/${urn}`, payload: { description: 'x'.repeat(2 * 1024 * 1024) } },
      413,
      'STW_PAYLOAD_TOO_LARGE',
    ],
    [
      { method: 'POST', url: '/v1/events', payload: 'x', headers: { 'content-type': 'text/plain' } },
      415,
      'STW_UNSUPPORTED_MEDIA_TYPE',
    ],
    [{ method: 'DELETE', url: '/v1/policies/no-such-policy' }, 404, 'STW_NOT_FOUND'],
  ];
  for (const [request, status, code] of cases) {
    const response = await app.inject(request);
    assert.equal(
      response.statusCode,
      status,
      `${JSON.stringify(request.url)}: ${response.body.slice(0, 200)}`,
    );
    assert.equal(codeOf(response.body), code);
  }
  const policy = {
    id: 'dup-policy',
    title: 'x',
    description: 'x',
    severity: 'low',
    scope: {},
    assert: { kind: 'has-owner' },
    remediation: 'x',
    slaHours: 1,
    references: [],
    waivers: [],
    enabled: true,
  };
  assert.equal((await app.inject({ method: 'POST', url: '/v1/policies', payload: policy })).statusCode, 201);
  const again = await app.inject({ method: 'POST', url: '/v1/policies', payload: policy });
  assert.equal(again.statusCode, 409);
  assert.equal(codeOf(again.body), 'STW_CONFLICT');
});

/** PostgreSQL and Elasticsearch unreachable: every read answers 503 with Retry-After, not 500. */
test('a dependency outage should be 503 with Retry-After on every read route', async (t) => {
  const pool = new pg.Pool({
    connectionString: 'postgres://nobody@127.0.0.1:1/none',
    connectionTimeoutMillis: 500,
  });
  const client = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 500 });
  t.after(async () => {
    await pool.end();
    await client.close();
  });
  const app = await apiFor(t, { pool, client, alias: 'steward-assets' });
  for (const url of [
    '/v1/search?q=customers',
    '/v1/autocomplete?prefix=cu',
    `/v1/assets/${urn}`,
    `/v1/assets/${urn}/schema-history`,
    `/v1/assets/${urn}/lineage`,
    `/v1/assets/${urn}/impact`,
    '/v1/violations',
    '/v1/stats',
    '/v1/sources',
    '/v1/policies',
    '/v1/audit',
  ]) {
    const response = await app.inject({ url });
    assert.equal(response.statusCode, 503, `${url}: ${response.body.slice(0, 200)}`);
    assert.equal(codeOf(response.body), 'STW_DEPENDENCY_UNAVAILABLE', url);
    assert.ok(response.headers['retry-after'], url);
  }
});

/**
 * Kafka unreachable: reads are served, a curation is still accepted and audited with its command kept in
 * the outbox for the sweep, and HTTP ingest (which cannot keep events anywhere else) answers 503.
 */
test('without Kafka the API should serve reads, accept audited writes into the outbox, and refuse ingest with 503', async (t) => {
  const { pool, schema } = await postgresSchemaFor(t);
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  const { client, prefix, alias } = assetIndexFor(t);
  await ensureAssetIndex(client, prefix);
  const nowhere = new Kafka({
    clientId: 'test-no-kafka',
    brokers: ['127.0.0.1:1'],
    connectionTimeout: 300,
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  });
  const app = await apiFor(t, { pool, client, alias, kafka: nowhere });
  const assetUrn = 'urn:steward:dataset:postgres:prod:shop.public.customers';
  await pool.query(
    `INSERT INTO assets (urn, platform, instance, type, name, qualified_name, revision, updated_stamp)
     VALUES ($1, 'postgres', 'prod', 'table', 'customers', 'shop.public.customers', 1, $2)`,
    [assetUrn, JSON.stringify({ occurredAt: '2026-12-01T00:00:00Z', eventId: 'e1' })],
  );
  assert.equal((await app.inject({ url: '/v1/search?q=customers' })).statusCode, 200);
  const curated = await app.inject({
    method: 'PATCH',
    url: `/v1/assets/${urn}`,
    payload: { owners: ['ops'] },
  });
  assert.equal(curated.statusCode, 202, curated.body);
  const { rows } = await pool.query<{ action: string; queued: string }>(
    `SELECT (SELECT action FROM api_audit ORDER BY id DESC LIMIT 1) AS action,
            (SELECT count(*) FROM steward_outbox WHERE processor = 'api' AND published_at IS NULL)::text AS queued`,
  );
  assert.deepEqual(rows[0], { action: 'asset.curate', queued: '1' });
  const ingest = await app.inject({ method: 'POST', url: '/v1/events', payload: [fullUpsertEvent()] });
  assert.equal(ingest.statusCode, 503, ingest.body);
  assert.equal(codeOf(ingest.body), 'STW_DEPENDENCY_UNAVAILABLE');
});
