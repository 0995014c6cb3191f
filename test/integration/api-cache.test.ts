import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisReadCache } from '../../src/adapters/redis-cache.ts';
import { endpoints, uniqueName } from '../helpers/services.ts';

/** The read cache against the real Redis: round trip, expiry, and a fast failure when Redis is away. */
test('the Redis read cache should keep values for their TTL and fail fast without Redis', async (t) => {
  const cache = redisReadCache({ url: endpoints().redisUrl, tls: false }, `${uniqueName('test')}:`);
  t.after(() => cache.close());
  assert.equal(await cache.get('asset\nurn:x\n1'), undefined);
  await cache.set('asset\nurn:x\n1', '{"a":1}', 200);
  assert.equal(await cache.get('asset\nurn:x\n1'), '{"a":1}');
  assert.equal(await cache.get('asset\nurn:x\n2'), undefined, 'another revision is another key');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await cache.get('asset\nurn:x\n1'), undefined, 'expired');

  const away = redisReadCache({ url: 'redis://127.0.0.1:1', tls: false });
  t.after(() => away.close());
  const started = Date.now();
  await assert.rejects(away.get('k'));
  assert.ok(Date.now() - started < 2_000, `failed within 2 s (${String(Date.now() - started)} ms)`);
});
