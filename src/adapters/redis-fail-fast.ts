import { Redis } from 'ioredis';
import type { Config } from '../config.ts';

/**
 * A Redis client for what the API keeps in Redis (rate-limit counts, the read cache): nothing there is
 * worth waiting for, so commands fail fast when Redis is away (no offline queue, no retries, a short
 * timeout) and the caller falls back (its own counts; a read from the index). `connected` waits, briefly,
 * for the first connection, so the first requests after a start do not all fall back.
 */
export function failFastRedis(config: Config['redis']): {
  readonly redis: Redis;
  connected(): Promise<void>;
  close(): Promise<void>;
} {
  const redis = new Redis(config.url, {
    ...(config.password && { password: config.password }),
    ...(config.tls && { tls: {} }),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    lazyConnect: false,
  });
  // Failures surface on the commands, where callers fall back; unhandled they would print.
  redis.on('error', () => undefined);
  const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  const connectTimeoutMs = 1_000;
  return {
    redis,
    async connected() {
      if (['wait', 'connecting', 'connect'].includes(redis.status))
        await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, connectTimeoutMs).unref())]);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
