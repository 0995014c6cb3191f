import type { RateCounter } from '../../../src/adapters/redis-rate-counter.ts';

/** Rate limits high enough never to matter in route tests. */
export const unlimited = { max: 1_000_000, windowMs: 60_000 } as const;

/** A counter in memory, standing in for Redis in route tests (test/integration/api-rate-limit uses Redis). */
export function memoryCounter(fail: () => boolean = () => false): RateCounter & { calls: number } {
  const counts = new Map<string, number>();
  return {
    calls: 0,
    incr(key, windowMs) {
      this.calls++;
      if (fail()) return Promise.reject(new Error('connection refused'));
      const current = (counts.get(key) ?? 0) + 1;
      counts.set(key, current);
      return Promise.resolve({ current, ttl: windowMs });
    },
    close: () => Promise.resolve(),
  };
}
