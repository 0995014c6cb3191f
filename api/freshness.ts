import type { FastifyBaseLogger } from 'fastify';
import type { ApiDeps } from './deps.ts';

/** The index's freshness, or null (logged) when PostgreSQL cannot say: reads still answer without it. */
export function freshnessOrNull(deps: ApiDeps, log: FastifyBaseLogger) {
  return deps.freshness().catch((error: unknown) => {
    log.warn({ err: error }, 'freshness unavailable');
    return null;
  });
}
