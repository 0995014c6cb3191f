import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisFor } from '../helpers/services.ts';

test('redis should round-trip a value with an expiry', async (t) => {
  const { redis, prefix } = redisFor(t);
  await redis.set(`${prefix}k`, 'v', 'PX', 60_000);
  assert.equal(await redis.get(`${prefix}k`), 'v');
  const ttl = await redis.pttl(`${prefix}k`);
  assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
});
