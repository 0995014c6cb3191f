import type { TestContext } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { buildApp, type AppOptions } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { assetSearch } from '../../src/adapters/elasticsearch/asset-search.ts';
import { jwtVerifier, type JwtOptions } from '../../src/adapters/jwt.ts';
import { verifyApiKey } from '../../src/adapters/postgres/api-keys.ts';
import { readAudit } from '../../src/adapters/postgres/audit-reader.ts';
import { assetHistory } from '../../src/adapters/postgres/history-reader.ts';
import { readFreshness } from '../../src/adapters/postgres/freshness-store.ts';
import { freshnessStaleAfterMs, summariseFreshness } from '../../src/domain/freshness.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { redisRateCounter } from '../../src/adapters/redis-rate-counter.ts';
import { endpoints } from './services.ts';

/**
 * The API app over real adapters (Elasticsearch alias, PostgreSQL pool), as src/bin/api-server.ts wires it,
 * for integration tests; closed after the test. `freshnessGroups` are the groups whose watermark it reports.
 */
export async function apiFor(
  t: TestContext,
  options: {
    readonly pool: pg.Pool;
    readonly client: Client;
    readonly alias: string;
    readonly freshnessGroups?: readonly string[];
    readonly auth?: AppOptions['auth'];
    readonly jwt?: Omit<JwtOptions, 'roleClaim'>;
    readonly rateLimit?: AppOptions['rateLimit'];
    /** Redis for the rate limits (default: the test Redis). */
    readonly redisUrl?: string;
  },
): Promise<FastifyInstance> {
  const { pool } = options;
  const rateCounter = redisRateCounter({ url: options.redisUrl ?? endpoints().redisUrl, tls: false });
  t.after(() => rateCounter.close());
  const deps: ApiDeps = {
    assets: assetSearch(options.client, options.alias),
    history: assetHistory(pool),
    audit: (page) => readAudit(pool, page),
    freshness: async () => {
      const rows = await readFreshness(pool, options.freshnessGroups ?? []);
      const { partitions: _partitions, ...summary } = summariseFreshness(
        rows,
        new Date(),
        freshnessStaleAfterMs,
      );
      return summary;
    },
    checks: {},
    metrics: new Registry(),
    credentials: {
      apiKey: (key) => verifyApiKey(pool, key),
      jwt: jwtVerifier({ roleClaim: 'role', ...options.jwt }),
    },
    rateCounter,
  };
  const app = await buildApp(deps, {
    logger: createLogger({ level: 'silent', name: 'test' }),
    auth: options.auth ?? 'open',
    rateLimit: options.rateLimit ?? { max: 10_000, windowMs: 60_000 },
  });
  t.after(() => app.close());
  return app;
}
