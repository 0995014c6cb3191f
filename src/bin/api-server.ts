import type { AddressInfo } from 'node:net';
import { buildApp } from '../../api/app.ts';
import type { Client } from '@elastic/elasticsearch';
import { aliasName } from '../adapters/elasticsearch/asset-index.ts';
import { assetSearch } from '../adapters/elasticsearch/asset-search.ts';
import { jwtVerifier } from '../adapters/jwt.ts';
import { redisRateCounter } from '../adapters/redis-rate-counter.ts';
import { verifyApiKey } from '../adapters/postgres/api-keys.ts';
import { readAudit } from '../adapters/postgres/audit-reader.ts';
import { readFreshness } from '../adapters/postgres/freshness-store.ts';
import { assetHistory } from '../adapters/postgres/history-reader.ts';
import type { Pool } from '../adapters/postgres/pool.ts';
import type { Config } from '../config.ts';
import { freshnessStaleAfterMs, summariseFreshness } from '../domain/freshness.ts';
import type { Check } from '../observability/health-server.ts';
import type { Logger } from '../observability/logger.ts';
import type { Registry } from '../observability/metrics.ts';

export interface ApiServerOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly pool: Pool;
  readonly elasticsearch: Client;
  readonly checks: Readonly<Record<string, Check>>;
  /** The consumer groups whose progress the index reflects: their freshness is every answer's watermark. */
  readonly freshnessGroups: readonly string[];
}

/** The query API on API_HOST:API_PORT (wiring only: the app is api/app.ts). */
export async function startApi(options: ApiServerOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const { config, logger } = options;
  const rateCounter = redisRateCounter(config.redis);
  const app = await buildApp(
    {
      assets: assetSearch(options.elasticsearch, aliasName(config.elasticsearch.indexPrefix)),
      history: assetHistory(options.pool),
      audit: (page) => readAudit(options.pool, page),
      freshness: async () => {
        const rows = await readFreshness(options.pool, options.freshnessGroups);
        const { partitions: _partitions, ...summary } = summariseFreshness(
          rows,
          new Date(),
          freshnessStaleAfterMs,
        );
        return summary;
      },
      checks: options.checks,
      metrics: options.registry,
      credentials: {
        apiKey: (key) => verifyApiKey(options.pool, key),
        jwt: jwtVerifier(config.api.jwt),
      },
      rateCounter,
    },
    { logger: logger.child({ part: 'api' }), auth: config.api.auth, rateLimit: config.api.rateLimit },
  );
  if (config.api.auth === 'open')
    logger.warn({ host: config.api.host }, 'the API runs open (API_AUTH=open): every caller is an admin');
  await app.listen({ host: config.api.host, port: config.api.port });
  const { port } = app.server.address() as AddressInfo;
  logger.info({ port, url: `http://${config.api.host}:${port}/v1` }, 'api listening');
  return {
    port,
    stop: async () => {
      await app.close();
      await rateCounter.close();
    },
  };
}
