import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { buildApp } from '../../../api/app.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { emptyDeps, unlimited } from './fixtures.ts';

const logger = createLogger({ level: 'silent', name: 'test' });
const build = (corsOrigins: string[] = []) =>
  buildApp(emptyDeps(), { logger, auth: 'required', rateLimit: unlimited, corsOrigins });

describe('API docs, security headers and CORS', () => {
  it('should refuse NUL characters and broken percent-encoding with 400 in the error shape', async () => {
    const app = await buildApp(emptyDeps(), { logger, auth: 'open', rateLimit: unlimited });
    const cases: [InjectOptions, string][] = [
      [{ url: '/v1/assets/a%00b' }, 'params.urn'],
      [{ url: '/v1/violations?owner=a%00' }, 'querystring.owner'],
      [{ method: 'PATCH', url: '/v1/assets/x', payload: { description: 'a\u0000b' } }, 'body.description'],
      [{ url: '/v1/assets/%E0%A4%A' }, 'url'],
    ];
    for (const [request, field] of cases) {
      const response = await app.inject(request);
      assert.equal(response.statusCode, 400, JSON.stringify(request));
      assert.deepEqual(
        response.json<{ error: { code: string; field: string } }>().error.code,
        'STW_BAD_REQUEST',
      );
      assert.equal(response.json<{ error: { field: string } }>().error.field, field);
    }
  });

  it('should serve the OpenAPI document the repository commits, and the docs page, without credentials', async () => {
    const app = await build();
    const json = await app.inject({ url: '/docs/json' });
    assert.equal(json.statusCode, 200);
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(json.json(), committed);
    const page = await app.inject({ url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
  });

  it('should send security headers on every answer, errors included', async () => {
    const app = await build();
    for (const url of ['/healthz', '/v1/search', '/nowhere']) {
      const response = await app.inject({ url });
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.match(String(response.headers['content-security-policy']), /default-src 'self'/, url);
      assert.ok(response.headers['strict-transport-security'], url);
    }
  });

  it('should answer CORS preflights only for configured origins', async () => {
    const preflight = (origin: string) => ({
      method: 'OPTIONS' as const,
      url: '/v1/search',
      headers: { origin, 'access-control-request-method': 'GET' },
    });
    const closed = await build();
    assert.equal(
      (await closed.inject(preflight('https://catalog.example.com'))).headers['access-control-allow-origin'],
      undefined,
    );
    const open = await build(['https://catalog.example.com']);
    const allowed = await open.inject(preflight('https://catalog.example.com'));
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://catalog.example.com');
    const other = await open.inject(preflight('https://evil.example.net'));
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});
