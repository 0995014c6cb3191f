import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { buildApp } from '../../../api/app.ts';
import type { Principal } from '../../../src/domain/principal.ts';
import { formatApiKey } from '../../../src/domain/principal.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { emptyDeps, memoryCounter } from './fixtures.ts';

/** Rate limits per principal, through the shared counter or, when it fails, in-process. */

const key = (id: string) => formatApiKey(id, 'y'.repeat(43));
const principals = new Map<string, Principal>(
  ['00000000000000b1', '00000000000000b2'].map((id) => [
    key(id),
    { id: `apikey:${id}`, role: 'viewer', via: 'apikey' },
  ]),
);

function app(counter: ReturnType<typeof memoryCounter>, metrics = new Registry()) {
  return buildApp(
    emptyDeps({
      metrics,
      rateCounter: counter,
      credentials: {
        apiKey: (presented) => Promise.resolve(principals.get(presented)),
        jwt: () => Promise.resolve({ ok: false, reason: 'no JWTs here' }),
      },
    }),
    {
      logger: createLogger({ level: 'silent', name: 'test' }),
      auth: 'required',
      rateLimit: { max: 3, windowMs: 60_000 },
    },
  );
}

const as = (id: string) => ({ 'x-api-key': key(id) });

describe('API rate limits', () => {
  it('should answer 429 with Retry-After past the limit, per principal, never on health', async () => {
    const counter = memoryCounter();
    const api = await app(counter);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await api.inject({ url: '/v1/search', headers: as('00000000000000b1') })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await api.inject({ url: '/v1/search', headers: as('00000000000000b1') });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '60');
    assert.equal(limited.json<{ error: { code: string } }>().error.code, 'STW_RATE_LIMITED');
    // Another principal has its own window.
    assert.equal((await api.inject({ url: '/v1/search', headers: as('00000000000000b2') })).statusCode, 200);
    for (let i = 0; i < 5; i++) assert.equal((await api.inject({ url: '/healthz' })).statusCode, 200);
  });

  it('should keep limiting in-process when the shared counter fails, and count the fallbacks', async () => {
    const metrics = new Registry();
    const counter = memoryCounter(() => true);
    const api = await app(counter, metrics);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await api.inject({ url: '/v1/search', headers: as('00000000000000b1') })).statusCode);
    assert.deepEqual(
      statuses,
      [200, 200, 200, 429],
      'a Redis outage neither lifts the limit nor fails requests',
    );
    assert.ok(counter.calls >= 4, 'the shared counter is tried on every request');
    assert.match(await metrics.metrics(), /steward_api_rate_limit_fallback_total 4/);
  });
});
