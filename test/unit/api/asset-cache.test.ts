import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { buildApp } from '../../../api/app.ts';
import type { AssetSummary } from '../../../src/adapters/elasticsearch/asset-search.ts';
import type { DocumentState } from '../../../src/adapters/postgres/history-reader.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { emptyDeps, memoryCache, unlimited } from './fixtures.ts';

/** GET /v1/assets/{urn} reads through a cache keyed by the document revision PostgreSQL names current. */

const urn = 'urn:steward:dataset:postgres:prod:shop.public.customers';
const summary = (revision: number): AssetSummary => ({
  urn,
  platform: 'postgres',
  instance: 'prod',
  type: 'table',
  name: `customers@${String(revision)}`,
  qualifiedName: 'shop.public.customers',
  owners: [],
  tags: [],
  columns: [],
  classes: [],
  sensitivity: 'none',
  quality: { band: 'unknown', dimensions: {} },
  violations: { open: 0, openPolicies: [], status: 'none' },
  revision,
  updatedAt: '2026-12-01T00:00:00.000Z',
  stale: false,
  deleted: false,
});

async function fixture() {
  const world = { pg: 3, indexed: 3, reads: 0, state: 'ok' as 'ok' | 'down' };
  const cache = memoryCache();
  const metrics = new Registry();
  const app = await buildApp(
    emptyDeps({
      cache,
      metrics,
      assets: {
        ...emptyDeps().assets,
        get: () => {
          world.reads += 1;
          return Promise.resolve(summary(world.indexed));
        },
      },
      history: {
        ...emptyDeps().history,
        documentState: (): Promise<DocumentState | undefined> =>
          world.state === 'down'
            ? Promise.reject(new Error('connection refused'))
            : Promise.resolve({ revision: world.pg, deleted: false, compliance: null }),
      },
    }),
    { logger: createLogger({ level: 'silent', name: 'test' }), auth: 'open', rateLimit: unlimited },
  );
  const name = async (): Promise<string> =>
    (await app.inject({ url: `/v1/assets/${encodeURIComponent(urn)}` })).json<{ asset: AssetSummary }>().asset
      .name;
  return { world, cache, metrics, name };
}

describe('the asset read cache', () => {
  it('should serve the second read of an unchanged revision from the cache', async () => {
    const { world, name, metrics } = await fixture();
    assert.equal(await name(), 'customers@3');
    assert.equal(await name(), 'customers@3');
    assert.equal(world.reads, 1, 'one index read');
    const text = await metrics.metrics();
    assert.match(text, /steward_api_cache_requests_total\{result="hit"\} 1/);
    assert.match(text, /steward_api_cache_requests_total\{result="miss"\} 1/);
  });

  it('should never serve a cached revision older than the current one', async () => {
    const { world, name } = await fixture();
    assert.equal(await name(), 'customers@3');
    world.pg = 4;
    world.indexed = 4;
    assert.equal(await name(), 'customers@4', 'a new revision misses the cache');
    assert.equal(world.reads, 2);
  });

  it('should not cache a document the index holds at an older revision than PostgreSQL', async () => {
    const { world, name, cache } = await fixture();
    world.pg = 5; // the index is behind
    assert.equal(await name(), 'customers@3');
    assert.equal(cache.entries.size, 0);
    world.indexed = 5;
    assert.equal(await name(), 'customers@5');
    assert.equal(cache.entries.size, 1);
  });

  it('should read the index directly when PostgreSQL cannot say the revision', async () => {
    const { world, name, metrics } = await fixture();
    world.state = 'down';
    assert.equal(await name(), 'customers@3');
    assert.equal(await name(), 'customers@3');
    assert.equal(world.reads, 2);
    assert.match(await metrics.metrics(), /steward_api_cache_requests_total\{result="bypass"\} 2/);
  });
});
