import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../api/app.ts';
import type { ApiDeps } from '../../../api/deps.ts';
import { KPI_CACHE_MS } from '../../../api/routes/stats.ts';
import type { ApiMutations } from '../../../src/adapters/postgres/api-mutations.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import type { Principal } from '../../../src/domain/principal.ts';
import { formatApiKey } from '../../../src/domain/principal.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { ContractError } from '../../../src/producer/publish.ts';
import type { Kpis } from '../../../src/scheduler/sweeps/kpi-aggregate.ts';
import { builtinPolicies } from '../../../processors/compliance/policies/builtins.ts';
import { fullUpsertEvent } from '../../fixtures/change-events.ts';
import { emptyDeps, unlimited } from './fixtures.ts';

/** The governance routes' contract with app.inject: roles, validation, answers; the stores are recorded. */

const urn = 'urn:steward:dataset:postgres:prod:shop.public.customers';
const path = `/v1/assets/${encodeURIComponent(urn)}`;
const key = (n: string) => formatApiKey(n.padStart(16, '0'), 'x'.repeat(43));
const principals: Record<string, Principal> = {
  viewer: { id: 'apikey:viewer', role: 'viewer', via: 'apikey' },
  steward: { id: 'apikey:steward', role: 'steward', via: 'apikey' },
  admin: { id: 'apikey:admin', role: 'admin', via: 'apikey' },
};
const as = (role: keyof typeof principals) => ({
  'x-api-key': key(role === 'viewer' ? 'a1' : role === 'steward' ? 'a2' : 'a3'),
});
const byKey = new Map([
  [key('a1'), principals.viewer],
  [key('a2'), principals.steward],
  [key('a3'), principals.admin],
]);

function recordingMutations(calls: unknown[][]): ApiMutations {
  return {
    curate: (principal, target, patch) => {
      calls.push(['curate', principal, target, patch]);
      return Promise.resolve(
        target === urn
          ? { commandId: 'c-1', before: { owners: ['shop'], tags: [], description: null } }
          : null,
      );
    },
    decideClassification: (principal, target, decision, reason) => {
      calls.push(['decide', principal, target, decision, reason]);
      if (target.urn !== urn) return Promise.resolve('unknown-asset');
      return Promise.resolve(target.column === 'email' ? { commandId: 'c-2' } : 'unknown-column');
    },
    acknowledge: (principal, id, note) => {
      calls.push(['acknowledge', principal, id, note]);
      return Promise.resolve(
        id === 'v-1'
          ? { acknowledgement: { by: principal, at: '2026-12-06T00:00:00.000Z', note }, created: true }
          : null,
      );
    },
    putPolicy: (principal, definition, mode) => {
      calls.push(['putPolicy', principal, definition, mode]);
      const policy = builtinPolicies[0] ?? assert.fail('no builtin');
      if (mode === 'create')
        return Promise.resolve({ ok: false, status: 409, errors: [{ path: '/id', message: 'exists' }] });
      return Promise.resolve({ ok: true, policy: { ...policy, version: policy.version + 1 }, changed: true });
    },
    disablePolicy: (principal, id) => {
      calls.push(['disablePolicy', principal, id]);
      return Promise.resolve(null);
    },
  };
}

async function fixture(overrides: Partial<ApiDeps> = {}) {
  const calls: unknown[][] = [];
  const published: ChangeEvent[][] = [];
  const app = await buildApp(
    emptyDeps({
      mutations: recordingMutations(calls),
      ingest: {
        publish: (events) => {
          published.push([...events]);
          return Promise.resolve();
        },
      },
      credentials: {
        apiKey: (presented) => Promise.resolve(byKey.get(presented)),
        jwt: () => Promise.resolve({ ok: false, reason: 'none' }),
      },
      ...overrides,
    }),
    { logger: createLogger({ level: 'silent', name: 'test' }), auth: 'required', rateLimit: unlimited },
  );
  return { app, calls, published };
}

const errorOf = (response: LightMyRequestResponse) =>
  response.json<{ error: { code: string; field?: string; message: string } }>().error;

describe('PATCH /v1/assets/{urn} and classification decisions', () => {
  it("should accept a steward's curation with 202 and the command id, and refuse a viewer with 403", async () => {
    const { app, calls } = await fixture();
    const body = { owners: ['data-office'], retention: 'P90D' };
    const viewer = await app.inject({ method: 'PATCH', url: path, headers: as('viewer'), payload: body });
    assert.equal(viewer.statusCode, 403);
    assert.equal(calls.length, 0, 'nothing recorded for a refused caller');
    const response = await app.inject({ method: 'PATCH', url: path, headers: as('steward'), payload: body });
    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json(), {
      commandId: 'c-1',
      status: 'accepted',
      before: { owners: ['shop'], tags: [], description: null },
    });
    assert.deepEqual(calls, [['curate', 'apikey:steward', urn, body]]);
  });

  it('should name the field of a malformed patch and answer 404 for an unknown asset', async () => {
    const { app } = await fixture();
    const cases: [object, string][] = [
      [{ retention: 'ninety days' }, 'body.retention'],
      [{ owners: 'jo' }, 'body.owners'],
      [{ colour: 'red' }, 'body.colour'],
      [{}, 'body'],
    ];
    for (const [payload, field] of cases) {
      const response = await app.inject({ method: 'PATCH', url: path, headers: as('admin'), payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(errorOf(response).field, field, JSON.stringify(payload));
    }
    const other = `/v1/assets/${encodeURIComponent('urn:steward:dataset:postgres:prod:x')}`;
    const missing = await app.inject({
      method: 'PATCH',
      url: other,
      headers: as('steward'),
      payload: { tags: ['a'] },
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(errorOf(missing).field, 'params.urn');
  });

  it('should send confirm and reject decisions, and answer 404 naming the unknown column or class', async () => {
    const { app, calls } = await fixture();
    const confirm = await app.inject({
      method: 'POST',
      url: `${path}/columns/email/classifications/email/confirm`,
      headers: as('steward'),
      payload: { reason: 'checked by hand' },
    });
    assert.equal(confirm.statusCode, 202);
    const reject = await app.inject({
      method: 'POST',
      url: `${path}/columns/email/classifications/phone/reject`,
      headers: as('steward'),
    });
    assert.equal(reject.statusCode, 202);
    assert.deepEqual(calls, [
      ['decide', 'apikey:steward', { urn, column: 'email', class: 'email' }, 'confirm', 'checked by hand'],
      ['decide', 'apikey:steward', { urn, column: 'email', class: 'phone' }, 'reject', null],
    ]);
    const column = await app.inject({
      method: 'POST',
      url: `${path}/columns/nope/classifications/email/confirm`,
      headers: as('steward'),
    });
    assert.equal(column.statusCode, 404);
    assert.equal(errorOf(column).field, 'params.column');
    const cls = await app.inject({
      method: 'POST',
      url: `${path}/columns/email/classifications/not-a-class/confirm`,
      headers: as('steward'),
    });
    assert.equal(cls.statusCode, 400);
    assert.equal(errorOf(cls).field, 'params.class');
  });
});

describe('violations, policies, stats', () => {
  it('should pass repeatable violation filters through and refuse an unknown severity', async () => {
    const filters: unknown[] = [];
    const { app } = await fixture({
      governance: {
        ...emptyDeps().governance,
        violations: (filter) => {
          filters.push(filter);
          return Promise.resolve([]);
        },
      },
    });
    const ok = await app.inject({
      url: '/v1/violations?severity=high&severity=critical&owner=jo&status=open&acknowledged=false',
      headers: as('viewer'),
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(filters, [
      { limit: 50, status: 'open', severity: ['high', 'critical'], owner: ['jo'], acknowledged: false },
    ]);
    const bad = await app.inject({ url: '/v1/violations?severity=dire', headers: as('viewer') });
    assert.equal(bad.statusCode, 400);
    assert.match(errorOf(bad).field ?? '', /^querystring\.severity/);
    const cursor = await app.inject({ url: '/v1/violations?cursor=garbage', headers: as('viewer') });
    assert.equal(errorOf(cursor).code, 'STW_BAD_CURSOR');
  });

  it('should acknowledge for a steward and answer 404 for an unknown violation', async () => {
    const { app } = await fixture();
    const done = await app.inject({
      method: 'POST',
      url: '/v1/violations/v-1/acknowledge',
      headers: as('steward'),
      payload: { note: 'on it' },
    });
    assert.equal(done.statusCode, 200);
    assert.deepEqual(done.json(), {
      acknowledged: { by: 'apikey:steward', at: '2026-12-06T00:00:00.000Z', note: 'on it' },
      created: true,
    });
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/violations/v-2/acknowledge',
      headers: as('steward'),
    });
    assert.equal(missing.statusCode, 404);
  });

  it('should keep policies to admins and map store answers to 201/200/409/404/400', async () => {
    const { app } = await fixture();
    const policy = builtinPolicies[0] ?? assert.fail('no builtin');
    assert.equal((await app.inject({ url: '/v1/policies', headers: as('steward') })).statusCode, 403);
    assert.equal((await app.inject({ url: '/v1/policies', headers: as('admin') })).statusCode, 200);
    const created = await app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: as('admin'),
      payload: policy,
    });
    assert.equal(created.statusCode, 409);
    assert.equal(errorOf(created).code, 'STW_CONFLICT');
    const updated = await app.inject({
      method: 'PUT',
      url: `/v1/policies/${policy.id}`,
      headers: as('admin'),
      payload: policy,
    });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json<{ policy: { version: number } }>().policy.version, policy.version + 1);
    const mismatch = await app.inject({
      method: 'PUT',
      url: '/v1/policies/some-other-id',
      headers: as('admin'),
      payload: policy,
    });
    assert.equal(mismatch.statusCode, 400);
    assert.equal(errorOf(mismatch).field, 'body.id');
    const invalid = await app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: as('admin'),
      payload: { ...policy, severity: 'dire' },
    });
    assert.equal(invalid.statusCode, 400);
    assert.equal(errorOf(invalid).field, 'body.severity');
    const gone = await app.inject({
      method: 'DELETE',
      url: '/v1/policies/no-such-policy',
      headers: as('admin'),
    });
    assert.equal(gone.statusCode, 404);
    assert.equal(
      (await app.inject({ url: '/v1/policies/no-such-policy', headers: as('admin') })).statusCode,
      404,
    );
  });

  it('should compute live KPIs at most once per cache period', async () => {
    let computed = 0;
    const kpis: Kpis = {
      assets: 0,
      assetsByPlatform: { postgres: 3 },
      assetsByType: { table: 3 },
      ownershipCoverage: 0.5,
      tagCoverage: null,
      placeholders: 0,
      deletedAssets: 1,
      schemaChanges24h: 2,
      breakingChanges24h: 1,
      assetsBySensitivity: { restricted: 1 },
      openViolationsBySeverity: { high: 2 },
      escalatedViolations: 0,
      violationsOpened24h: 2,
      violationsResolved24h: 0,
      assetsByQualityBand: { good: 3 },
      meanQualityScore: 81.5,
    };
    const { app } = await fixture({
      governance: {
        ...emptyDeps().governance,
        kpis: () => {
          computed += 1;
          return Promise.resolve({ ...kpis, assets: computed });
        },
      },
    });
    const first = await app.inject({ url: '/v1/stats', headers: as('viewer') });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json<{ kpis: Kpis }>().kpis, { ...kpis, assets: 1 });
    const second = await app.inject({ url: '/v1/stats', headers: as('viewer') });
    assert.equal(second.json<{ kpis: Kpis }>().kpis.assets, 1);
    assert.equal(computed, 1, `served from the cache within ${KPI_CACHE_MS} ms`);
  });
});

describe('POST /v1/events', () => {
  it('should publish the valid events and answer each invalid one with its errors', async () => {
    const { app, published } = await fixture();
    const good = fullUpsertEvent();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: as('steward'),
      payload: [good, { ...good, id: 'not-a-uuid' }, 42],
    });
    assert.equal(response.statusCode, 202);
    const body = response.json<{
      accepted: { index: number; id: string }[];
      errors: { index: number; id: string | null; errors: { path: string }[] }[];
    }>();
    assert.deepEqual(body.accepted, [{ index: 0, id: good.id }]);
    assert.deepEqual(
      body.errors.map((e) => [e.index, e.id, e.errors[0]?.path]),
      [
        [1, 'not-a-uuid', '/id'],
        [2, null, '/'],
      ],
    );
    assert.deepEqual(published, [[good]]);
  });

  it('should refuse a viewer, an empty batch, an over-long one and a non-JSON body', async () => {
    const { app } = await fixture();
    const post = (payload: string, headers: Record<string, string> = as('steward')) =>
      app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });
    assert.equal((await post('[]', as('viewer'))).statusCode, 403);
    assert.equal((await post('[]')).statusCode, 400);
    assert.equal((await post(JSON.stringify(Array.from({ length: 501 }, () => ({}))))).statusCode, 400);
    assert.equal((await post('[{')).statusCode, 400);
    const text = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...as('steward'), 'content-type': 'text/plain' },
      payload: 'hello',
    });
    assert.equal(text.statusCode, 415);
  });

  it('should refuse events too large for the topic and still send the rest', async () => {
    const good = fullUpsertEvent();
    const big = { ...good, id: '00000000-0000-4000-8000-000000000099' };
    const sent: string[][] = [];
    const { app } = await fixture({
      ingest: {
        publish: (events) => {
          if (events.some((e) => e.id === big.id))
            return Promise.reject(new ContractError([{ index: 1, path: '/', message: 'encodes to 2 MB' }]));
          sent.push(events.map((e) => e.id));
          return Promise.resolve();
        },
      },
    });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: as('steward'),
      payload: [good, big],
    });
    assert.equal(response.statusCode, 202);
    const body = response.json<{ accepted: { index: number }[]; errors: { index: number }[] }>();
    assert.deepEqual(
      body.accepted.map((a) => a.index),
      [0],
    );
    assert.deepEqual(
      body.errors.map((e) => e.index),
      [1],
    );
    assert.deepEqual(sent, [[good.id]]);
  });
});
