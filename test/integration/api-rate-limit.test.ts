import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureAssetIndex } from '../../src/adapters/elasticsearch/asset-index.ts';
import { createApiKey } from '../../src/adapters/postgres/api-keys.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { apiFor } from '../helpers/api.ts';
import { assetIndexFor } from '../helpers/catalog.ts';
import { endpoints, postgresSchemaFor } from '../helpers/services.ts';

/** Rate limits on the real Redis: shared by two API instances, and still enforced when Redis is away. */
test('two API instances should share one rate limit through Redis, and each limit alone without it', async (t) => {
  const { pool, schema } = await postgresSchemaFor(t);
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  const { client, prefix, alias } = assetIndexFor(t);
  await ensureAssetIndex(client, prefix);
  // A fresh key per run: its id names the Redis window, so runs never share counts.
  const { key } = await createApiKey(pool, { role: 'viewer', name: 'rate', by: 'test' });
  const rateLimit = { max: 4, windowMs: 60_000 };
  const shared = { pool, client, alias, auth: 'required' as const, rateLimit };
  const [a, b] = [await apiFor(t, shared), await apiFor(t, shared)];
  const headers = { authorization: `Bearer ${key}` };
  const statuses = [];
  for (const api of [a, b, a, b, a, b])
    statuses.push((await api.inject({ url: '/v1/search', headers })).statusCode);
  assert.deepEqual(
    statuses,
    [200, 200, 200, 200, 429, 429],
    'four requests in all, whichever instance served them',
  );

  // Redis unreachable (nothing listens on port 1): each instance keeps limiting on its own counts.
  const { key: other } = await createApiKey(pool, { role: 'viewer', name: 'rate-2', by: 'test' });
  const alone = await apiFor(t, { ...shared, redisUrl: 'redis://127.0.0.1:1' });
  const offline = [];
  for (let i = 0; i < 5; i++)
    offline.push(
      (await alone.inject({ url: '/v1/search', headers: { authorization: `Bearer ${other}` } })).statusCode,
    );
  assert.deepEqual(offline, [200, 200, 200, 200, 429]);
});
