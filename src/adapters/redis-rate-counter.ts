import type { Config } from '../config.ts';
import { failFastRedis } from './redis-fail-fast.ts';

/** A fixed-window request counter shared by every API instance: INCR, and PEXPIRE on the first hit. */
export interface RateCounter {
  /** The count in the window after this hit, and the window's remaining milliseconds. */
  incr(key: string, windowMs: number): Promise<{ current: number; ttl: number }>;
  close(): Promise<void>;
}

const script = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {current, ttl}`;

/**
 * Counts in Redis. Fails fast when Redis is away (failFastRedis), so the API's limiter falls back to its
 * in-process counts instead of holding requests. Losing the counts is harmless: Redis holds nothing here
 * that matters after a window ends.
 */
export function redisRateCounter(config: Config['redis'], prefix = 'steward:ratelimit:'): RateCounter {
  const client = failFastRedis(config);
  return {
    async incr(key, windowMs) {
      // While the first connection is being made, wait for it (briefly) rather than fall back: the first
      // requests after a start would otherwise go uncounted in the shared window. Once connected, or once
      // a connection failed, commands fail fast.
      await client.connected();
      const result = (await client.redis.eval(script, 1, `${prefix}${key}`, windowMs)) as [number, number];
      return { current: result[0], ttl: result[1] };
    },
    close: () => client.close(),
  };
}
