import { Registry } from 'prom-client';
import type { ApiDeps } from '../../../api/deps.ts';
import { facetCounts } from '../../../src/adapters/elasticsearch/asset-results.ts';
import type { ReadCache } from '../../../src/adapters/redis-cache.ts';
import type { RateCounter } from '../../../src/adapters/redis-rate-counter.ts';

/** Rate limits high enough never to matter in route tests. */
export const unlimited = { max: 1_000_000, windowMs: 60_000 } as const;

/** A counter in memory, standing in for Redis in route tests (test/integration/api-rate-limit uses Redis). */
export function memoryCounter(fail: () => boolean = () => false): RateCounter & { calls: number } {
  const counts = new Map<string, number>();
  return {
    calls: 0,
    incr(key, windowMs) {
      this.calls++;
      if (fail()) return Promise.reject(new Error('connection refused'));
      const current = (counts.get(key) ?? 0) + 1;
      counts.set(key, current);
      return Promise.resolve({ current, ttl: windowMs });
    },
    close: () => Promise.resolve(),
  };
}

/** A read cache in memory (test/integration/api-cache uses Redis). */
export function memoryCache(): ReadCache & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (key) => Promise.resolve(entries.get(key)),
    set: (key, value) => {
      entries.set(key, value);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

/** Deps over an empty catalog and index, with no credentials, for tests of the app's plumbing. */
export function emptyDeps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    assets: {
      search: () =>
        Promise.resolve({ hits: [], total: { value: 0, relation: 'eq' }, facets: facetCounts(undefined) }),
      autocomplete: () => Promise.resolve([]),
      get: () => Promise.resolve(undefined),
    },
    history: {
      exists: () => Promise.resolve(false),
      documentState: () => Promise.resolve(undefined),
      schemaVersions: () => Promise.resolve([]),
      quality: () => Promise.resolve([]),
      violations: () => Promise.resolve([]),
    },
    governance: {
      violations: () => Promise.resolve([]),
      policies: () => Promise.resolve([]),
      policyVersions: () => Promise.resolve([]),
      kpis: () => Promise.reject(new Error('no KPIs here')),
      kpiSeries: () => Promise.resolve([]),
      sources: () => Promise.resolve([]),
    },
    mutations: {
      curate: () => Promise.resolve(null),
      decideClassification: () => Promise.resolve('unknown-asset'),
      acknowledge: () => Promise.resolve(null),
      putPolicy: () =>
        Promise.resolve({ ok: false, status: 404, errors: [{ path: '/id', message: 'none' }] }),
      disablePolicy: () => Promise.resolve(null),
    },
    ingest: { publish: () => Promise.resolve() },
    lineage: {
      known: () => Promise.resolve(false),
      graph: () => Promise.resolve({ nodes: [], edges: [], truncated: false }),
      reachable: () => Promise.resolve({ urns: [], truncated: false }),
    },
    lineageIngest: { publish: () => Promise.resolve() },
    audit: () => Promise.resolve([]),
    freshness: () => Promise.reject(new Error('not measured here')),
    checks: {},
    metrics: new Registry(),
    rateCounter: memoryCounter(),
    cache: memoryCache(),
    credentials: {
      apiKey: () => Promise.resolve(undefined),
      jwt: () => Promise.resolve({ ok: false, reason: 'no JWTs here' }),
    },
    ...overrides,
  };
}
