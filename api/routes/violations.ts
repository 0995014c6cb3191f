import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SEVERITIES } from '../../src/domain/policy.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { asJson, errorResponses } from '../schemas/common.ts';
import { Violation } from '../schemas/violation.ts';

const CURSOR = 'violations';
const many = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string) =>
  Type.Optional(Type.Array(item, { maxItems: 20, description: `${description} (repeatable: any of them)` }));

const Acknowledgement = Type.Object({
  by: Type.String(),
  at: Type.String({ format: 'date-time' }),
  note: Type.Union([Type.String(), Type.Null()]),
});

const ListedViolation = Type.Object({
  ...Violation.properties,
  urn: Type.String(),
  owners: Type.Array(Type.String(), { description: "the asset's owners now" }),
  acknowledged: Type.Union([Acknowledgement, Type.Null()]),
});

/** Violations across every asset, and a steward's acknowledgement of one. */
export const violationRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.get(
    '/violations',
    {
      schema: {
        summary: 'Violations of every asset, newest first',
        tags: ['violations'],
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Enum(['open', 'resolved'])),
            severity: many(Type.Enum(SEVERITIES), 'severity'),
            policy: many(Type.String({ minLength: 1, maxLength: 64 }), 'policy id'),
            owner: many(Type.String({ minLength: 1, maxLength: 256 }), 'an owner of the asset'),
            acknowledged: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 4096 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            violations: Type.Array(ListedViolation),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request) => {
      const { status, severity, policy, owner, acknowledged, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      let after: { openedAt: string; id: string } | undefined;
      if (cursor !== undefined) {
        const [openedAt, id] = decodeCursor(cursor, CURSOR);
        if (typeof openedAt !== 'string' || Number.isNaN(Date.parse(openedAt)) || typeof id !== 'string')
          throw new ApiError(400, 'STW_BAD_CURSOR', 'cursor: not a cursor', 'querystring.cursor');
        after = { openedAt, id };
      }
      const violations = await deps.governance.violations({
        limit,
        ...(status !== undefined && { status }),
        ...(severity !== undefined && { severity }),
        ...(policy !== undefined && { policy }),
        ...(owner !== undefined && { owner }),
        ...(acknowledged !== undefined && { acknowledged }),
        ...(after && { after }),
      });
      const last = violations.at(-1);
      return asJson({
        violations,
        next: last && violations.length === limit ? encodeCursor(CURSOR, [last.openedAt, last.id]) : null,
      });
    },
  );

  app.post(
    '/violations/:id/acknowledge',
    {
      config: { role: 'steward' },
      schema: {
        summary: 'Acknowledge a violation: seen and being handled (it stays open until its policy passes)',
        tags: ['violations'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        body: Type.Object(
          { note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
          { additionalProperties: false, description: 'optional: the request may have no body' },
        ),
        response: {
          200: Type.Object({
            acknowledged: Acknowledgement,
            created: Type.Boolean({ description: 'false: it had been acknowledged before (kept as it was)' }),
          }),
          ...errorResponses(400, 401, 403, 404, 415, 503),
        },
      },
    },
    async (request) => {
      const result = await deps.mutations.acknowledge(
        request.principal.id,
        request.params.id,
        request.body.note ?? null,
      );
      if (!result) throw new ApiError(404, 'STW_NOT_FOUND', 'no such violation', 'params.id');
      return { acknowledged: result.acknowledgement, created: result.created };
    },
  );
  done();
};
