import rateLimit, { type RateLimitPluginOptions, type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, type Registry } from 'prom-client';
import type { RateCounter } from '../../src/adapters/redis-rate-counter.ts';
import type { Principal } from '../../src/domain/principal.ts';
import { ApiError } from '../errors.ts';

export interface RateLimitOptions {
  /** Requests per principal per window. */
  readonly max: number;
  readonly windowMs: number;
  /** The shared counter (Redis); when it fails, this instance counts alone until it answers again. */
  readonly counter: RateCounter;
  readonly metrics: Registry;
}

/** Per-key fixed windows in this process: the fallback when the shared counter is unavailable. */
class LocalWindows {
  readonly #windows = new Map<string, { count: number; endsAt: number }>();

  incr(key: string, windowMs: number): { current: number; ttl: number } {
    const now = Date.now();
    if (this.#windows.size > 10_000)
      for (const [k, w] of this.#windows) if (w.endsAt <= now) this.#windows.delete(k);
    let window = this.#windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return { current: window.count, ttl: window.endsAt - now };
  }
}

/**
 * Rate limits per principal (per client address before authentication), shared across instances through
 * Redis; if Redis fails, each instance limits on its own counts, so a Redis outage never lifts the limit
 * nor fails requests. Over the limit: 429 `STW_RATE_LIMITED` with Retry-After. Health, readiness and
 * metrics are not limited.
 */
export const rateLimits = fp(
  async (app: FastifyInstance, options: RateLimitOptions) => {
    const fallbacks = new Counter({
      name: 'steward_api_rate_limit_fallback_total',
      help: 'Rate-limit counts made in-process because the shared counter (Redis) failed',
      registers: [options.metrics],
    });
    const local = new LocalWindows();
    const log = app.log;
    const store = class implements FastifyRateLimitStore {
      incr(
        key: string,
        callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
        timeWindow?: number,
      ): void {
        const windowMs = timeWindow ?? options.windowMs;
        options.counter.incr(key, windowMs).then(
          (result) => callback(null, result),
          (error: unknown) => {
            fallbacks.inc();
            log.warn({ err: error }, 'rate-limit counter unavailable; counting in-process');
            callback(null, local.incr(key, windowMs));
          },
        );
      }
      child(): FastifyRateLimitStore {
        return new store();
      }
    };
    const settings: RateLimitPluginOptions = {
      global: true,
      max: options.max,
      timeWindow: options.windowMs,
      store,
      // Before authentication ran (or on a route without a role) there is no principal: the address counts.
      keyGenerator: (request) => (request.principal as Principal | null)?.id ?? `ip:${request.ip}`,
      allowList: (request) => ['/healthz', '/readyz', '/metrics'].includes(request.url.split('?')[0] ?? ''),
      errorResponseBuilder: (_request, context) =>
        new ApiError(
          429,
          'STW_RATE_LIMITED',
          `more than ${context.max} requests in ${Math.round(options.windowMs / 1000)} s; retry after ${context.after}`,
        ),
    };
    await app.register(rateLimit, settings);
  },
  { name: 'steward-rate-limit', dependencies: ['steward-auth'] },
);
