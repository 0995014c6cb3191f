import { Registry } from 'prom-client';
import type { Artifact } from '../src/contract/artifacts.ts';
import { formatJson } from '../src/contract/json-format.ts';
import { createLogger } from '../src/observability/logger.ts';
import { buildApp } from './app.ts';
import type { ApiDeps } from './deps.ts';

/** Dependencies that are never called: building the app to read its routes needs no connection. */
function unwired(): ApiDeps {
  const refuse = (): Promise<never> =>
    Promise.reject(new Error('not wired: the app was built for its document'));
  const service = new Proxy({}, { get: () => refuse });
  return {
    assets: service as ApiDeps['assets'],
    history: service as ApiDeps['history'],
    governance: service as ApiDeps['governance'],
    mutations: service as ApiDeps['mutations'],
    ingest: service as ApiDeps['ingest'],
    lineage: service as ApiDeps['lineage'],
    lineageIngest: service as ApiDeps['lineageIngest'],
    audit: refuse,
    freshness: refuse,
    checks: {},
    metrics: new Registry(),
    credentials: { apiKey: refuse, jwt: refuse },
    rateCounter: { incr: refuse, close: () => Promise.resolve() },
    cache: { get: refuse, set: refuse, close: () => Promise.resolve() },
  };
}

/** The API's OpenAPI document as /docs/json serves it. */
export async function openApiDocument(): Promise<unknown> {
  const app = await buildApp(unwired(), {
    logger: createLogger({ level: 'silent', name: 'openapi' }),
    auth: 'required',
    rateLimit: { max: 1, windowMs: 1000 },
  });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

/** docs/openapi.json: committed, and checked for drift against the routes in CI. */
export async function openApiArtifact(): Promise<Artifact> {
  return { path: 'docs/openapi.json', content: formatJson(await openApiDocument()) };
}
