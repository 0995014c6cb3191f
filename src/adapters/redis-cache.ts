import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import { failFastRedis } from './redis-fail-fast.ts';

/** A shared read cache (Redis): values are JSON text; a miss and a failure both read as undefined. */
export interface ReadCache {
  /** The cached text, `undefined` on a miss; rejects when Redis cannot answer (the caller reads through). */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Keys are hashed (URNs are up to 4096 characters) under one prefix, so they are short and safe. */
export function redisReadCache(config: Config['redis'], prefix = 'steward:cache:'): ReadCache {
  const client = failFastRedis(config);
  const keyOf = (key: string): string => `${prefix}${createHash('sha256').update(key).digest('base64url')}`;
  return {
    async get(key) {
      await client.connected();
      return (await client.redis.get(keyOf(key))) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await client.connected();
      await client.redis.set(keyOf(key), value, 'PX', ttlMs);
    },
    close: () => client.close(),
  };
}
