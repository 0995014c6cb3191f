import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_URN_LENGTH } from '../../src/domain/urn.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { asJson, errorResponses } from '../schemas/common.ts';
import { Violation } from '../schemas/violation.ts';

const Params = Type.Object({ urn: Type.String({ minLength: 1, maxLength: MAX_URN_LENGTH }) });
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 }));
const Scalar = Type.Union([Type.String(), Type.Boolean(), Type.Number(), Type.Null()]);

const SchemaVersion = Type.Object({
  version: Type.Integer(),
  fingerprint: Type.String(),
  breaking: Type.Boolean(),
  summary: Type.String(),
  changes: Type.Array(
    Type.Object({
      kind: Type.String(),
      column: Type.String(),
      from: Type.Optional(Scalar),
      to: Type.Optional(Scalar),
      previousName: Type.Optional(Type.String()),
      breaking: Type.Boolean(),
      reason: Type.String(),
    }),
  ),
  columns: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.String(),
      nullable: Type.Boolean(),
      description: Type.Union([Type.String(), Type.Null()]),
      tags: Type.Array(Type.String()),
      ordinal: Type.Optional(Type.Integer()),
      primaryKey: Type.Optional(Type.Boolean()),
      unique: Type.Optional(Type.Boolean()),
    }),
  ),
  occurredAt: Type.String({ format: 'date-time' }),
  recordedAt: Type.String({ format: 'date-time' }),
  eventId: Type.String(),
});

const QualityPoint = Type.Object({
  scoredAt: Type.String({ format: 'date-time' }),
  score: Type.Union([Type.Number(), Type.Null()]),
  band: Type.Union([Type.String(), Type.Null()]),
  dimensions: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
  rowCount: Type.Union([Type.Integer(), Type.Null()]),
  eventId: Type.String(),
});

const QUALITY_CURSOR = 'quality-history';

/** An asset's history from PostgreSQL: schema versions, quality scores, violations. 404 if never known. */
export const historyRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const known = async (urn: string): Promise<void> => {
    if (!(await deps.history.exists(urn)))
      throw new ApiError(404, 'STW_NOT_FOUND', 'no such asset in the catalog', 'params.urn');
  };

  app.get(
    '/assets/:urn/schema-history',
    {
      schema: {
        summary: "The asset's schema versions, newest first, each with its diff from the one before",
        tags: ['assets'],
        params: Params,
        querystring: Type.Object(
          {
            limit: Limit,
            before: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'versions below this one' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            versions: Type.Array(SchemaVersion),
            next: Type.Union([Type.Integer(), Type.Null()], { description: 'the `before` of the next page' }),
          }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const { urn } = request.params;
      const limit = request.query.limit ?? 50;
      await known(urn);
      const versions = await deps.history.schemaVersions(urn, {
        limit,
        ...(request.query.before !== undefined && { beforeVersion: request.query.before }),
      });
      const last = versions.at(-1);
      return asJson({ versions, next: last && versions.length === limit ? last.version : null });
    },
  );

  app.get(
    '/assets/:urn/quality-history',
    {
      schema: {
        summary: "The asset's quality scores over time, newest first",
        tags: ['assets'],
        params: Params,
        querystring: Type.Object(
          {
            limit: Limit,
            since: Type.Optional(Type.String({ format: 'date-time' })),
            cursor: Type.Optional(Type.String({ maxLength: 4096 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            points: Type.Array(QualityPoint),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const { urn } = request.params;
      const { since, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      let before: { scoredAt: string; eventId: string } | undefined;
      if (cursor !== undefined) {
        const [scoredAt, eventId] = decodeCursor(cursor, QUALITY_CURSOR);
        if (typeof scoredAt !== 'string' || Number.isNaN(Date.parse(scoredAt)) || typeof eventId !== 'string')
          throw new ApiError(400, 'STW_BAD_CURSOR', 'cursor: not a cursor', 'querystring.cursor');
        before = { scoredAt, eventId };
      }
      await known(urn);
      const points = await deps.history.quality(urn, {
        limit,
        ...(before && { before }),
        ...(since !== undefined && { since }),
      });
      const last = points.at(-1);
      return asJson({
        points,
        next:
          last && points.length === limit
            ? encodeCursor(QUALITY_CURSOR, [last.scoredAt, last.eventId])
            : null,
      });
    },
  );

  app.get(
    '/assets/:urn/violations',
    {
      schema: {
        summary: "The asset's violations: open ones first, then by when they opened",
        tags: ['violations'],
        params: Params,
        querystring: Type.Object(
          { status: Type.Optional(Type.Enum(['open', 'resolved'])), limit: Limit },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ violations: Type.Array(Violation) }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const { urn } = request.params;
      await known(urn);
      const violations = await deps.history.violations(urn, {
        limit: request.query.limit ?? 50,
        ...(request.query.status !== undefined && { status: request.query.status }),
      });
      return asJson({ violations });
    },
  );
  done();
};
