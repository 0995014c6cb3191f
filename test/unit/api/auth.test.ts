import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { buildApp } from '../../../api/app.ts';
import { jwtVerifier } from '../../../src/adapters/jwt.ts';
import type { Principal } from '../../../src/domain/principal.ts';
import { allows, formatApiKey, parseApiKey } from '../../../src/domain/principal.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { emptyDeps, unlimited } from './fixtures.ts';

/** Authentication and roles with real JWT verification (jose, HS256) and recorded API keys. */

const secret = 'a-32-character-secret-for-hs256!';
const key = (id: string) => formatApiKey(id, 'x'.repeat(43));
const keys = new Map<string, Principal>([
  [key('00000000000000a1'), { id: 'apikey:00000000000000a1', role: 'viewer', via: 'apikey' }],
  [key('00000000000000a2'), { id: 'apikey:00000000000000a2', role: 'admin', via: 'apikey' }],
]);

const token = (claims: Record<string, unknown>, options: { expires?: string; secret?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ana')
    .setIssuer('idp')
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? secret));

function app(
  mode: 'open' | 'required',
  apiKey = (presented: string) => Promise.resolve(keys.get(presented)),
) {
  return buildApp(
    emptyDeps({ credentials: { apiKey, jwt: jwtVerifier({ secret, issuer: 'idp', roleClaim: 'role' }) } }),
    { logger: createLogger({ level: 'silent', name: 'test' }), auth: mode, rateLimit: unlimited },
  );
}

describe('API authentication and roles', () => {
  it('should parse only well-formed API keys and order the roles', () => {
    assert.deepEqual(parseApiKey(key('00000000000000a1')), {
      id: '00000000000000a1',
      secret: 'x'.repeat(43),
    });
    for (const bad of [
      '',
      'stw_',
      'stw_00000000000000a1',
      `stw_XYZ_${'x'.repeat(43)}`,
      `${key('00000000000000a1')}!`,
    ])
      assert.equal(parseApiKey(bad), undefined, bad);
    assert.ok(allows('admin', 'steward') && allows('steward', 'viewer') && allows('viewer', 'viewer'));
    assert.ok(!allows('viewer', 'steward') && !allows('steward', 'admin'));
  });

  it('should answer 401 with WWW-Authenticate without valid credentials, and serve health without any', async () => {
    const api = await app('required');
    const cases: [string, Record<string, string>][] = [
      ['none', {}],
      ['unknown key', { 'x-api-key': key('00000000000000ff') }],
      ['garbage bearer', { authorization: 'Bearer not.a.jwt' }],
      [
        'wrong secret',
        { authorization: `Bearer ${await token({ role: 'admin' }, { secret: 'b'.repeat(32) })}` },
      ],
      ['expired', { authorization: `Bearer ${await token({ role: 'admin' }, { expires: '-1m' })}` }],
      ['no role claim', { authorization: `Bearer ${await token({})}` }],
      ['unknown role', { authorization: `Bearer ${await token({ role: 'root' })}` }],
    ];
    for (const [name, headers] of cases) {
      const response = await api.inject({ url: '/v1/search', headers });
      assert.equal(response.statusCode, 401, name);
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="steward"', name);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'STW_UNAUTHENTICATED', name);
    }
    // Authentication comes before validation: an anonymous caller learns nothing about the parameters.
    assert.equal((await api.inject({ url: '/v1/search?size=0&colour=red' })).statusCode, 401);
    assert.equal((await api.inject({ url: '/healthz' })).statusCode, 200);
    assert.equal((await api.inject({ url: '/metrics' })).statusCode, 200);
  });

  it('should let each role through to what it may do and answer 403 above it', async () => {
    const api = await app('required');
    const viewerJwt = { authorization: `Bearer ${await token({ role: 'viewer' })}` };
    const adminJwt = { authorization: `Bearer ${await token({ role: ['viewer', 'admin'] })}` };
    const viewerKey = { authorization: `Bearer ${key('00000000000000a1')}` };
    const adminKey = { 'x-api-key': key('00000000000000a2') };
    for (const headers of [viewerJwt, adminJwt, viewerKey, adminKey])
      assert.equal((await api.inject({ url: '/v1/search', headers })).statusCode, 200);
    for (const headers of [viewerJwt, viewerKey]) {
      const response = await api.inject({ url: '/v1/audit', headers });
      assert.equal(response.statusCode, 403);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'STW_FORBIDDEN');
    }
    for (const headers of [adminJwt, adminKey])
      assert.equal((await api.inject({ url: '/v1/audit', headers })).statusCode, 200);
  });

  it('should answer 503, not 500, when the key store is unreachable', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const api = await app('required', () => Promise.reject(refused));
    const response = await api.inject({
      url: '/v1/search',
      headers: { 'x-api-key': key('00000000000000a1') },
    });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'STW_DEPENDENCY_UNAVAILABLE');
  });

  it('should treat every caller as an anonymous admin when open', async () => {
    const api = await app('open');
    assert.equal((await api.inject({ url: '/v1/audit' })).statusCode, 200);
  });
});
