import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

/** The least role of every operation in docs/openapi.json; a new operation must be added here. */
const ROLES: Record<string, 'none' | 'viewer' | 'steward' | 'admin'> = {
  'GET /healthz': 'none',
  'GET /readyz': 'none',
  'GET /metrics': 'none',
  'GET /v1/search': 'viewer',
  'GET /v1/autocomplete': 'viewer',
  'GET /v1/assets/{urn}': 'viewer',
  'PATCH /v1/assets/{urn}': 'steward',
  'GET /v1/assets/{urn}/schema-history': 'viewer',
  'GET /v1/assets/{urn}/quality-history': 'viewer',
  'GET /v1/assets/{urn}/violations': 'viewer',
  'GET /v1/assets/{urn}/lineage': 'viewer',
  'GET /v1/assets/{urn}/impact': 'viewer',
  'POST /v1/lineage': 'steward',
  'POST /v1/assets/{urn}/columns/{column}/classifications/{class}/confirm': 'steward',
  'POST /v1/assets/{urn}/columns/{column}/classifications/{class}/reject': 'steward',
  'GET /v1/violations': 'viewer',
  'POST /v1/violations/{id}/acknowledge': 'steward',
  'GET /v1/policies': 'admin',
  'POST /v1/policies': 'admin',
  'GET /v1/policies/{id}': 'admin',
  'PUT /v1/policies/{id}': 'admin',
  'DELETE /v1/policies/{id}': 'admin',
  'GET /v1/stats': 'viewer',
  'GET /v1/sources': 'viewer',
  'POST /v1/events': 'steward',
  'GET /v1/audit': 'admin',
};

/**
 * Every operation of the OpenAPI document, with no credentials and with a key of each role, on the real
 * stack: 401 without credentials where a role is needed, 403 below the role, and past authorisation (any
 * other answer) at or above it.
 */
test('every operation should demand its role: 401 without credentials, 403 below it, through at it', async (t) => {
  const { pool, schema } = await postgresSchemaFor(t);
  await migrate({ databaseUrl: endpoints().databaseUrl, schema });
  const { client, prefix, alias } = assetIndexFor(t);
  await ensureAssetIndex(client, prefix);
  const app = await apiFor(t, { pool, client, alias, auth: 'required' });
  const keys = {
    viewer: (await createApiKey(pool, { role: 'viewer', name: 'v', by: 'test' })).key,
    steward: (await createApiKey(pool, { role: 'steward', name: 's', by: 'test' })).key,
    admin: (await createApiKey(pool, { role: 'admin', name: 'a', by: 'test' })).key,
  };
  const document = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const order = ['none', 'viewer', 'steward', 'admin'] as const;
  let checked = 0;
  for (const [path, methods] of Object.entries(document.paths))
    for (const method of Object.keys(methods)) {
      const operation = `${method.toUpperCase()} ${path}`;
      const needed = ROLES[operation] ?? assert.fail(`${operation}: add its role to ROLES`);
      const url = path
        .replace('{urn}', encodeURIComponent('urn:steward:dataset:postgres:prod:shop.public.x'))
        .replace('{column}', 'email')
        .replace('{class}', 'email')
        .replace('{id}', 'some-policy');
      for (const held of order) {
        const response = await app.inject({
          method: method.toUpperCase() as 'GET',
          url: url === '/v1/autocomplete' ? `${url}?prefix=cu` : url,
          ...(held !== 'none' && { headers: { authorization: `Bearer ${keys[held]}` } }),
        });
        const what = `${operation} as ${held}: ${String(response.statusCode)} ${response.body.slice(0, 200)}`;
        if (needed === 'none' || order.indexOf(held) >= order.indexOf(needed)) {
          assert.ok(![401, 403].includes(response.statusCode), what);
          assert.ok(response.statusCode < 500, what);
        } else if (held === 'none') assert.equal(response.statusCode, 401, what);
        else assert.equal(response.statusCode, 403, what);
        checked += 1;
      }
    }
  assert.equal(checked, Object.keys(ROLES).length * order.length);
});
