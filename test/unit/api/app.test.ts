import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { buildApp } from '../../../api/app.ts';
import type { ApiDeps } from '../../../api/deps.ts';
import { encodeCursor } from '../../../api/cursor.ts';
import type { AssetSearch, AssetSummary } from '../../../src/adapters/elasticsearch/asset-search.ts';
import type { SearchParams } from '../../../src/adapters/elasticsearch/asset-queries.ts';
import { facetCounts } from '../../../src/adapters/elasticsearch/asset-results.ts';
import type {
  AssetHistory,
  QualityPoint,
  SchemaVersionRow,
} from '../../../src/adapters/postgres/history-reader.ts';
import { TransientError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { emptyDeps, unlimited } from './fixtures.ts';

/** Route behaviour with app.inject over recorded deps; the real-server path is test/integration/api-search. */

const asset: AssetSummary = {
  urn: 'urn:steward:dataset:postgres:prod:shop.public.customers%2Fv2',
  platform: 'postgres',
  instance: 'prod',
  type: 'table',
  name: 'customers/v2',
  qualifiedName: 'shop.public.customers/v2',
  owners: ['team-crm'],
  tags: [],
  columns: [{ name: 'email', type: 'text', classes: ['email'] }],
  classes: ['email'],
  sensitivity: 'confidential',
  quality: { score: 92.5, band: 'healthy', dimensions: { completeness: 1 } },
  violations: { open: 0, openPolicies: [], status: 'none' },
  deleted: false,
  revision: 3,
  updatedAt: '2026-12-01T00:00:00.000Z',
  stale: false,
};

const freshness = { watermark: null, caughtUp: false, lag: 12, behindSeconds: null, stalePartitions: 0 };

const version = (n: number): SchemaVersionRow => ({
  version: n,
  fingerprint: `f${n}`,
  columns: [{ name: 'email', type: 'text', nullable: true, description: null, tags: [] }],
  changes: [{ kind: 'added', column: 'email', to: 'text', breaking: false, reason: 'initial schema' }],
  summary: 'initial schema',
  breaking: false,
  occurredAt: '2026-12-01T00:00:00.000Z',
  recordedAt: '2026-12-01T00:00:01.000Z',
  eventId: `e${n}`,
});

/** History over three schema versions and two quality points of `asset`; records every call. */
function recordedHistory(calls: unknown[]): AssetHistory {
  const points: QualityPoint[] = [2, 1].map((n) => ({
    scoredAt: `2026-12-0${n}T00:00:00.000Z`,
    score: 90 + n,
    band: 'healthy',
    dimensions: { completeness: 1, volume: null },
    rowCount: 100 * n,
    eventId: `q${n}`,
  }));
  return {
    exists: (urn) => Promise.resolve(urn === asset.urn),
    documentState: (urn) =>
      Promise.resolve(
        urn === asset.urn ? { revision: asset.revision, deleted: false, compliance: null } : undefined,
      ),
    schemaVersions: (urn, page) => {
      calls.push(['schema', urn, page]);
      return Promise.resolve(
        [3, 2, 1]
          .filter((n) => n < (page.beforeVersion ?? 4))
          .slice(0, page.limit)
          .map(version),
      );
    },
    quality: (urn, page) => {
      calls.push(['quality', urn, page]);
      return Promise.resolve(
        points.filter((p) => !page.before || p.scoredAt < page.before.scoredAt).slice(0, page.limit),
      );
    },
    violations: (urn, filter) => {
      calls.push(['violations', urn, filter]);
      return Promise.resolve([]);
    },
  };
}

function fixture(overrides: Partial<AssetSearch> = {}, deps: Partial<ApiDeps> = {}) {
  const searches: SearchParams[] = [];
  const assets: AssetSearch = {
    search: (params) => {
      searches.push(params);
      return Promise.resolve({
        hits: [
          { asset, highlights: { name: ['<mark>customers</mark>/v2'] }, sort: ['customers/v2', asset.urn] },
        ],
        total: { value: 1, relation: 'eq' },
        facets: facetCounts(undefined),
      });
    },
    autocomplete: () => Promise.resolve([]),
    get: (urn) => Promise.resolve(urn === asset.urn ? asset : undefined),
    ...overrides,
  };
  const metrics = new Registry();
  const historyCalls: unknown[] = [];
  const app = buildApp(
    emptyDeps({
      assets,
      history: recordedHistory(historyCalls),
      freshness: () => Promise.resolve(freshness),
      checks: {
        elasticsearch: () => Promise.resolve(),
        postgres: () => Promise.reject(new Error('refused')),
      },
      metrics,
      ...deps,
    }),
    { logger: createLogger({ level: 'silent', name: 'test' }), auth: 'open', rateLimit: unlimited },
  );
  return { app, searches, metrics, historyCalls };
}

describe('the API app', () => {
  it('should pass validated filters, modes and sort to the search and report freshness', async () => {
    const { app, searches } = fixture();
    const response = await (
      await app
    ).inject({
      url: '/v1/search?q=customers&tag=pii&tag=tier1&all=tag&platform=postgres&sensitivity=restricted&size=1&sort=name&hasOpenViolations=true',
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(searches[0], {
      text: 'customers',
      filters: {
        platform: { values: ['postgres'], mode: 'any' },
        tag: { values: ['pii', 'tier1'], mode: 'all' },
        sensitivity: { values: ['restricted'], mode: 'any' },
        hasOpenViolations: true,
      },
      sort: 'name',
      size: 1,
      facetSize: 10,
    });
    const body = response.json<{ hits: { asset: AssetSummary }[]; next: string; freshness: unknown }>();
    assert.equal(body.hits[0]?.asset.urn, asset.urn);
    assert.equal('deleted' in (body.hits[0]?.asset ?? {}), false, 'only schema fields are served');
    assert.deepEqual(body.freshness, freshness);
    // A full page has a cursor, which the next request turns back into the sort values.
    assert.equal(body.next, encodeCursor('name', ['customers/v2', asset.urn]));
    await (await app).inject({ url: `/v1/search?sort=name&size=1&cursor=${body.next}` });
    assert.deepEqual(searches[1]?.searchAfter, ['customers/v2', asset.urn]);
  });

  it('should refuse bad input with 400, a stable code and the field, before any search', async () => {
    const { app, searches } = fixture();
    const cases: [string, string, string][] = [
      ['/v1/search?size=0', 'STW_BAD_REQUEST', 'querystring.size'],
      ['/v1/search?size=101', 'STW_BAD_REQUEST', 'querystring.size'],
      ['/v1/search?sensitivity=secret', 'STW_BAD_REQUEST', 'querystring.sensitivity[0]'],
      ['/v1/search?colour=red', 'STW_BAD_REQUEST', 'querystring.colour'],
      ['/v1/search?all=colour', 'STW_BAD_REQUEST', 'querystring.all[0]'],
      [`/v1/search?q=${'x'.repeat(257)}`, 'STW_BAD_REQUEST', 'querystring.q'],
      ['/v1/search?schemaChangedSince=yesterday', 'STW_BAD_REQUEST', 'querystring.schemaChangedSince'],
      ['/v1/search?cursor=not-a-cursor', 'STW_BAD_CURSOR', 'querystring.cursor'],
      [
        `/v1/search?sort=quality&cursor=${encodeCursor('name', ['a', 'b'])}`,
        'STW_BAD_CURSOR',
        'querystring.cursor',
      ],
      ['/v1/autocomplete', 'STW_BAD_REQUEST', 'querystring.prefix'],
      [`/v1/autocomplete?prefix=${'a'.repeat(65)}`, 'STW_BAD_REQUEST', 'querystring.prefix'],
    ];
    for (const [url, code, field] of cases) {
      const response = await (await app).inject({ url });
      assert.equal(response.statusCode, 400, url);
      const { error } = response.json<{ error: { code: string; field: string; message: string } }>();
      assert.equal(error.code, code, url);
      assert.equal(error.field, field, url);
      assert.ok(error.message, url);
    }
    assert.equal(searches.length, 0);
  });

  it('should answer 503 with Retry-After when a dependency is down, and 500 only for bugs', async () => {
    const down = fixture({
      search: () => Promise.reject(new TransientError('Elasticsearch is unreachable')),
    });
    const outage = await (await down.app).inject({ url: '/v1/search' });
    assert.equal(outage.statusCode, 503);
    assert.equal(outage.headers['retry-after'], '5');
    assert.equal(outage.json<{ error: { code: string } }>().error.code, 'STW_DEPENDENCY_UNAVAILABLE');

    const buggy = fixture({ get: () => Promise.reject(new TypeError('undefined is not a function')) });
    const bug = await (await buggy.app).inject({ url: `/v1/assets/${encodeURIComponent(asset.urn)}` });
    assert.equal(bug.statusCode, 500);
    const body = bug.json<{ error: { code: string; message: string }; requestId: string }>();
    assert.equal(body.error.code, 'STW_INTERNAL');
    assert.doesNotMatch(body.error.message, /undefined is not a function/, 'internals stay in the logs');
    assert.ok(body.requestId);
  });

  it('should still answer a search when freshness cannot be read, with freshness null', async () => {
    const { app } = fixture({}, { freshness: () => Promise.reject(new Error('PostgreSQL down')) });
    const response = await (await app).inject({ url: '/v1/search' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json<{ freshness: unknown }>().freshness, null);
  });

  it('should serve an asset by its percent-encoded URN, and 404 a missing one saying the index is behind', async () => {
    const { app } = fixture();
    const found = await (await app).inject({ url: `/v1/assets/${encodeURIComponent(asset.urn)}` });
    assert.equal(found.statusCode, 200, found.body);
    assert.equal(found.json<{ asset: AssetSummary }>().asset.name, 'customers/v2');
    const missing = await (await app).inject({ url: `/v1/assets/${encodeURIComponent('urn:steward:x')}` });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json<{ error: { message: string } }>().error.message, /index is behind/);
    const long = await (await app).inject({ url: `/v1/assets/${'u'.repeat(5000)}` });
    assert.equal(long.statusCode, 400);
  });

  it('should serve health, readiness naming what is down, metrics by route pattern, and JSON 404s', async () => {
    const { app } = fixture();
    const instance = await app;
    assert.equal((await instance.inject({ url: '/healthz' })).statusCode, 200);
    const ready = await instance.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), {
      status: 'not ready',
      checks: { elasticsearch: 'ok', postgres: 'refused' },
    });
    await instance.inject({ url: `/v1/assets/${encodeURIComponent(asset.urn)}` });
    const unknown = await instance.inject({ url: '/v2/nothing' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<{ error: { code: string } }>().error.code, 'STW_NOT_FOUND');
    const metrics = (await instance.inject({ url: '/metrics' })).body;
    assert.match(
      metrics,
      /steward_api_request_duration_seconds_count\{method="GET",route="\/v1\/assets\/:urn",status="200"\} 1/,
    );
    assert.doesNotMatch(metrics, /customers/, 'URNs never become label values');
  });

  it('should page schema and quality history newest first, and 404 an asset the catalog never knew', async () => {
    const { app, historyCalls } = fixture();
    const base = `/v1/assets/${encodeURIComponent(asset.urn)}`;
    const first = (await (await app).inject({ url: `${base}/schema-history?limit=2` })).json<{
      versions: { version: number }[];
      next: number | null;
    }>();
    assert.deepEqual(
      first.versions.map((v) => v.version),
      [3, 2],
    );
    assert.equal(first.next, 2);
    const rest = (await (await app).inject({ url: `${base}/schema-history?limit=2&before=2` })).json<{
      versions: { version: number }[];
      next: number | null;
    }>();
    assert.deepEqual(
      rest.versions.map((v) => v.version),
      [1],
    );
    assert.equal(rest.next, null);

    const quality = await (await app).inject({ url: `${base}/quality-history?limit=1` });
    const page = quality.json<{ points: QualityPoint[]; next: string }>();
    assert.equal(page.points[0]?.score, 92);
    assert.equal(page.points[0]?.dimensions.volume, null, 'an unmeasured dimension stays null, never 0');
    await (await app).inject({ url: `${base}/quality-history?limit=1&cursor=${page.next}` });
    assert.deepEqual(historyCalls.at(-1), [
      'quality',
      asset.urn,
      { limit: 1, before: { scoredAt: '2026-12-02T00:00:00.000Z', eventId: 'q2' } },
    ]);
    const wrongCursor = await (
      await app
    ).inject({
      url: `${base}/quality-history?cursor=${encodeCursor('name', ['a', 'b'])}`,
    });
    assert.equal(wrongCursor.json<{ error: { code: string } }>().error.code, 'STW_BAD_CURSOR');

    await (await app).inject({ url: `${base}/violations?status=open` });
    assert.deepEqual(historyCalls.at(-1), ['violations', asset.urn, { limit: 50, status: 'open' }]);
    const badStatus = await (await app).inject({ url: `${base}/violations?status=closed` });
    assert.equal(badStatus.statusCode, 400);

    const calls = historyCalls.length;
    for (const route of ['schema-history', 'quality-history', 'violations']) {
      const missing = await (await app).inject({ url: `/v1/assets/urn%3Anone/${route}` });
      assert.equal(missing.statusCode, 404, route);
    }
    assert.equal(historyCalls.length, calls, 'nothing read for an unknown asset');
  });
});
