import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../deps.ts';
import { asJson, errorResponses } from '../schemas/common.ts';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  principal: Type.String(),
  action: Type.String({ description: 'e.g. apikey.create, apikey.revoke' }),
  target: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

/** GET /audit (admin): every mutation made through the API or its CLI, newest first. */
export const auditRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.get(
    '/audit',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'The audit log: principal, time, action, target, before and after',
        tags: ['admin'],
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            before: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'entries older than this id',
              }),
            ),
            target: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            entries: Type.Array(AuditEntry),
            next: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const entries = await deps.audit({
        limit,
        ...(request.query.before !== undefined && { beforeId: request.query.before }),
        ...(request.query.target !== undefined && { target: request.query.target }),
      });
      const last = entries.at(-1);
      return asJson({ entries, next: last && entries.length === limit ? last.id : null });
    },
  );
  done();
};
