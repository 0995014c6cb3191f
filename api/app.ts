import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from '../src/observability/logger.ts';
import { MAX_URN_LENGTH } from '../src/domain/urn.ts';
import type { ApiDeps } from './deps.ts';
import { ApiError, errorHandling, type ErrorBody } from './errors.ts';
import { openApi } from './plugins/openapi.ts';
import { auth, type AuthOptions } from './plugins/auth.ts';
import { health } from './plugins/health.ts';
import { rateLimits } from './plugins/rate-limit.ts';
import { requestMetrics } from './plugins/request-metrics.ts';
import { nulAt, validatorCompiler } from './validation.ts';
import { assetRoutes } from './routes/assets.ts';
import { auditRoutes } from './routes/audit.ts';
import { curationRoutes } from './routes/curation.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { policyRoutes } from './routes/policies.ts';
import { statsRoutes } from './routes/stats.ts';
import { violationRoutes } from './routes/violations.ts';
import { historyRoutes } from './routes/history.ts';
import { lineageRoutes } from './routes/lineage.ts';
import { searchRoutes } from './routes/search.ts';

/** Errors Fastify meets before routing (a URL with broken percent-encoding) get the API's error shape. */
function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).send({
    error: { code: 'STW_BAD_REQUEST', message: error.message, field: 'url' },
    requestId: request.id,
  } satisfies ErrorBody);
}

export interface AppOptions {
  readonly logger: Logger;
  /** `required` unless configured open (local use on loopback only: see API_AUTH). */
  readonly auth: AuthOptions['mode'];
  /** Requests per principal per window, counted across instances. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** Largest request body accepted (bytes). */
  readonly bodyLimit?: number;
  /** Browser origins allowed by CORS; none: no CORS headers. */
  readonly corsOrigins?: readonly string[];
}

/**
 * The query API as a tree of encapsulated plugins. Never listens: the caller (src/bin) does, and tests use
 * `app.inject`. Routes live under /v1; /healthz, /readyz and /metrics at the root.
 */
export async function buildApp(deps: ApiDeps, options: AppOptions): Promise<FastifyInstance> {
  // Typed as Fastify's logger, so the instance type is the plain FastifyInstance the plugins take.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    // A URN is up to MAX_URN_LENGTH characters, percent-encoded in the path (up to three bytes each).
    routerOptions: { maxParamLength: MAX_URN_LENGTH * 3 },
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestIdHeader: 'x-request-id',
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Bodies are JSON only: a text/plain body is 415, not a string that fails the schema.
  app.removeContentTypeParser('text/plain');
  // A POST without a body (a bare confirm or acknowledge) validates as an empty JSON object.
  app.addHook('preValidation', (request, _reply, next) => {
    if (request.body === undefined && request.method === 'POST') request.body = {};
    // PostgreSQL text cannot hold NUL: refuse it at the edge, naming the field, rather than fail deep inside.
    const field =
      nulAt(request.params, 'params') ?? nulAt(request.query, 'querystring') ?? nulAt(request.body, 'body');
    if (field) {
      next(new ApiError(400, 'STW_BAD_REQUEST', 'NUL characters (\\u0000) are not allowed', field));
      return;
    }
    next();
  });

  await app.register(errorHandling);
  await app.register(helmet, {
    // The API answers JSON; only the docs page loads scripts and styles (its own, from /docs/static).
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'"] },
    },
  });
  await app.register(cors, { origin: options.corsOrigins?.length ? [...options.corsOrigins] : false });
  await app.register(openApi);
  await app.register(requestMetrics, { metrics: deps.metrics });
  await app.register(health, { checks: deps.checks, metrics: deps.metrics });
  await app.register(auth, { mode: options.auth, ...deps.credentials });
  await app.register(rateLimits, { ...options.rateLimit, counter: deps.rateCounter, metrics: deps.metrics });
  await app.register(
    async (v1) => {
      // Every /v1 route needs at least the viewer role unless it names a higher one: none is public by
      // omission.
      v1.addHook('onRoute', (route) => {
        route.config = { ...route.config, role: route.config?.role ?? 'viewer' };
      });
      await v1.register(searchRoutes, { deps });
      await v1.register(assetRoutes, { deps });
      await v1.register(historyRoutes, { deps });
      await v1.register(lineageRoutes, { deps });
      await v1.register(curationRoutes, { deps });
      await v1.register(violationRoutes, { deps });
      await v1.register(policyRoutes, { deps });
      await v1.register(statsRoutes, { deps });
      await v1.register(ingestRoutes, { deps });
      await v1.register(auditRoutes, { deps });
    },
    { prefix: '/v1' },
  );
  return app;
}
