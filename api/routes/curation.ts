import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CurationPatchSchema } from '../../src/domain/curation.ts';
import { MAX_URN_LENGTH } from '../../src/domain/urn.ts';
import { CLASS_IDS } from '../../src/domain/classes.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { asJson, errorResponses } from '../schemas/common.ts';

const Urn = Type.String({
  minLength: 1,
  maxLength: MAX_URN_LENGTH,
  description: 'the asset URN, percent-encoded as a path segment (encodeURIComponent)',
});

const Accepted = Type.Object({
  commandId: Type.String({ description: 'the command that carries the change; applied once' }),
  status: Type.Literal('accepted', {
    description: 'recorded and audited; the catalog and the index show it once the pipeline applied it',
  }),
});

const notFound = (what: string, field: string): ApiError =>
  new ApiError(404, 'STW_NOT_FOUND', `no such ${what} in the catalog`, field);

/**
 * A steward's changes to an asset: curation (owners, tags, description, retention) and decisions on its
 * columns' classes. Each is audited and sent as a command to the processor that owns the state, so the
 * answer is 202: the change is committed, the catalog shows it once the pipeline applied it.
 */
export const curationRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.patch(
    '/assets/:urn',
    {
      config: { role: 'steward' },
      schema: {
        summary: 'Curate an asset: owners, tags, description, retention (never overwritten by its source)',
        tags: ['curation'],
        params: Type.Object({ urn: Urn }),
        body: CurationPatchSchema,
        response: {
          202: Type.Object({
            ...Accepted.properties,
            before: Type.Object({
              owners: Type.Array(Type.String()),
              tags: Type.Array(Type.String()),
              description: Type.Union([Type.String(), Type.Null()]),
            }),
          }),
          ...errorResponses(400, 401, 403, 404, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const done = await deps.mutations.curate(request.principal.id, request.params.urn, request.body);
      if (!done) throw notFound('asset', 'params.urn');
      return reply
        .code(202)
        .send(asJson({ commandId: done.commandId, status: 'accepted' as const, before: done.before }));
    },
  );

  for (const decision of ['confirm', 'reject'] as const) {
    app.post(
      `/assets/:urn/columns/:column/classifications/:class/${decision}`,
      {
        config: { role: 'steward' },
        schema: {
          summary: `${decision === 'confirm' ? 'Confirm' : 'Reject'} a class on a column (survives re-classification)`,
          tags: ['curation'],
          params: Type.Object({
            urn: Urn,
            column: Type.String({ minLength: 1, maxLength: 1024 }),
            class: Type.Enum(CLASS_IDS),
          }),
          body: Type.Object(
            { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
            { additionalProperties: false, description: 'optional: the request may have no body' },
          ),
          response: { 202: Accepted, ...errorResponses(400, 401, 403, 404, 415, 503) },
        },
      },
      async (request, reply) => {
        const { urn, column } = request.params;
        const result = await deps.mutations.decideClassification(
          request.principal.id,
          { urn, column, class: request.params.class },
          decision,
          request.body.reason ?? null,
        );
        if (result === 'unknown-asset') throw notFound('asset', 'params.urn');
        if (result === 'unknown-column') throw notFound('column', 'params.column');
        return reply.code(202).send({ commandId: result.commandId, status: 'accepted' as const });
      },
    );
  }
  done();
};
