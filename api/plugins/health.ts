import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { runChecks, type Check } from '../../src/observability/health-server.ts';

export interface HealthOptions {
  readonly checks: Readonly<Record<string, Check>>;
  readonly metrics: Registry;
  readonly checkTimeoutMs?: number;
}

/**
 * `/healthz` (the process is alive), `/readyz` (every dependency answers; 503 naming those that do not)
 * and `/metrics` (Prometheus), at the root as in every Steward process. Not rate limited, not authenticated:
 * they say nothing about the data.
 */
export const health = fp(
  (app: FastifyInstance, options: HealthOptions, done: (error?: Error) => void) => {
    const operations = (summary: string) => ({ schema: { summary, tags: ['operations'], security: [] } });
    app.get('/healthz', operations('The process is alive'), () => ({ status: 'ok' }));
    app.get(
      '/readyz',
      operations('Every dependency answers (503 naming those that do not)'),
      async (_request, reply) => {
        const checks = await runChecks({ ...options.checks }, options.checkTimeoutMs ?? 3_000);
        const ready = Object.values(checks).every((result) => result === 'ok');
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
      },
    );
    app.get('/metrics', operations('Prometheus metrics'), async (_request, reply) =>
      reply.type(options.metrics.contentType).send(await options.metrics.metrics()),
    );
    done();
  },
  { name: 'steward-health' },
);
