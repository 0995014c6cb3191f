import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureAssetIndex } from '../../src/adapters/elasticsearch/asset-index.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../src/adapters/postgres/api-keys.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { apiFor } from '../helpers/api.ts';
import { assetIndexFor } from '../helpers/catalog.ts';
import { endpoints, postgresSchemaFor } from '../helpers/services.ts';

/** API keys on the real PostgreSQL: roles, revocation, and the audit of both, read through the API. */
test('API keys should authenticate with their role until revoked, and every change should be audited', async (t) => {
  const { pool, schema } = await postgresSchemaFor(t);
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  const { client, prefix, alias } = assetIndexFor(t);
  await ensureAssetIndex(client, prefix);
  const app = await apiFor(t, { pool, client, alias, auth: 'required' });

  const viewer = await createApiKey(pool, { role: 'viewer', name: 'dashboards', by: 'cli:test' });
  const admin = await createApiKey(pool, { role: 'admin', name: 'ops', by: 'cli:test' });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  assert.equal((await app.inject({ url: '/v1/search' })).statusCode, 401);
  assert.equal((await app.inject({ url: '/v1/search', headers: as(viewer.key) })).statusCode, 200);
  assert.equal((await app.inject({ url: '/v1/audit', headers: as(viewer.key) })).statusCode, 403);
  // A key with the right id and the wrong secret is refused like an unknown one.
  const forged = `${viewer.key.slice(0, -4)}AAAA`;
  assert.equal((await app.inject({ url: '/v1/search', headers: as(forged) })).statusCode, 401);

  assert.equal(await revokeApiKey(pool, viewer.id, 'cli:test'), true);
  assert.equal(await revokeApiKey(pool, viewer.id, 'cli:test'), false, 'revoking twice is a no-op');
  assert.equal((await app.inject({ url: '/v1/search', headers: as(viewer.key) })).statusCode, 401);

  const audit = await app.inject({ url: '/v1/audit?limit=2', headers: as(admin.key) });
  assert.equal(audit.statusCode, 200, audit.body);
  const page = audit.json<{
    entries: { action: string; target: string; principal: string }[];
    next: number;
  }>();
  assert.deepEqual(
    page.entries.map((e) => [e.action, e.target, e.principal]),
    [
      ['apikey.revoke', `apikey:${viewer.id}`, 'cli:test'],
      ['apikey.create', `apikey:${admin.id}`, 'cli:test'],
    ],
  );
  const rest = await app.inject({ url: `/v1/audit?before=${page.next}`, headers: as(admin.key) });
  assert.deepEqual(
    rest.json<{ entries: { action: string; target: string }[] }>().entries.map((e) => [e.action, e.target]),
    [['apikey.create', `apikey:${viewer.id}`]],
  );

  const byId = (a: readonly unknown[], b: readonly unknown[]) => String(a[0]).localeCompare(String(b[0]));
  assert.deepEqual(
    (await listApiKeys(pool)).map((k) => [k.id, k.role, k.revokedAt !== null]).sort(byId),
    [
      [viewer.id, 'viewer', true],
      [admin.id, 'admin', false],
    ].sort(byId),
  );
  const stored = JSON.stringify((await pool.query('SELECT * FROM api_keys')).rows);
  for (const key of [viewer.key, admin.key])
    // stw_ + 16 hex + _ precede the secret (which may itself contain _: never split on it).
    assert.ok(!stored.includes(key.slice(21)), 'no secret stored');
});
