import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The OpenAPI document, generated from the routes' schemas (the same ones that validate requests and
 * type the handlers): served at /docs (a browsable page) and /docs/json, and committed as
 * docs/openapi.json by `npm run generate` (CI fails when it drifts from the routes).
 */
export const openApi = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Steward query API',
          version: 'v1',
          description:
            'Search, asset detail and history, curation, violations, policies, stats and ingest. Errors are ' +
            '`{ error: { code, message, field? }, requestId }` with a stable STW_* code (docs/errors.md).',
        },
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description: 'an API key (stw_…, `steward apikey create`) or a JWT',
            },
            apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          },
        },
        security: [{ bearer: [] }, { apiKey: [] }],
      },
      // Routes without a schema (the docs themselves) stay out of the document.
      hideUntagged: true,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  },
  { name: 'steward-openapi' },
);
