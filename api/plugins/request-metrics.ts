import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, type Registry } from 'prom-client';

/**
 * Request latency by method, route (the route's pattern, never the raw URL: URNs would explode the label
 * set) and status. Unmatched URLs count under route `unmatched`.
 */
export const requestMetrics = fp(
  (app: FastifyInstance, options: { readonly metrics: Registry }, done: (error?: Error) => void) => {
    const duration = new Histogram({
      name: 'steward_api_request_duration_seconds',
      help: 'API request latency, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [options.metrics],
    });
    app.addHook('onResponse', (request, reply, hookDone) => {
      duration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      hookDone();
    });
    done();
  },
  { name: 'steward-request-metrics' },
);
