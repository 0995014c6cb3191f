import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_URN_LENGTH } from '../../src/domain/urn.ts';
import { validateRunEvent, type RunEvent } from '../../src/lineage/openlineage.ts';
import type { Direction } from '../../src/adapters/postgres/lineage-reader.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { asJson, errorResponses } from '../schemas/common.ts';
import { publishValid } from './publish-valid.ts';

export const LINEAGE_MAX_EVENTS = 500;
/** Nodes a lineage answer holds at most; past it the answer says `truncated`. */
export const LINEAGE_NODE_LIMIT = 10_000;

const Params = Type.Object({ urn: Type.String({ minLength: 1, maxLength: MAX_URN_LENGTH }) });
const Node = Type.Object({
  urn: Type.String(),
  depth: Type.Integer({ description: 'hops from the asset asked about' }),
  direction: Type.Union([Type.Literal('upstream'), Type.Literal('downstream'), Type.Literal('self')]),
  name: Type.Optional(Type.String()),
  platform: Type.Optional(Type.String()),
  placeholder: Type.Optional(Type.Boolean({ description: 'known only from lineage' })),
  deleted: Type.Optional(Type.Boolean()),
  owners: Type.Optional(Type.Array(Type.String())),
});
const Edge = Type.Object({
  upstream: Type.String(),
  downstream: Type.String(),
  jobs: Type.Array(Type.String(), { description: 'the jobs whose latest runs produce the edge' }),
  lastSeen: Type.String({ format: 'date-time' }),
});
const ColumnEdge = Type.Object({
  upstream: Type.String(),
  upstreamColumn: Type.String(),
  downstream: Type.String(),
  downstreamColumn: Type.String(),
  jobs: Type.Array(Type.String()),
});
const Problem = Type.Object({ path: Type.String(), message: Type.String() });

/**
 * Lineage: the graph around an asset, the impact of changing it, and OpenLineage RunEvents over HTTP.
 * Reads walk the active edges in PostgreSQL (the lineage processor's); writes go to steward.lineage.v1.
 */
export const lineageRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const known = async (urn: string): Promise<void> => {
    if (!(await deps.history.exists(urn)) && !(await deps.lineage.known(urn)))
      throw new ApiError(
        404,
        'STW_NOT_FOUND',
        'no such asset in the catalog or the lineage graph',
        'params.urn',
      );
  };

  app.get(
    '/assets/:urn/lineage',
    {
      schema: {
        summary: "The asset's lineage: the assets upstream and downstream of it, and the edges between them",
        tags: ['lineage'],
        params: Params,
        querystring: Type.Object(
          {
            direction: Type.Optional(
              Type.Union([Type.Literal('upstream'), Type.Literal('downstream'), Type.Literal('both')], {
                default: 'both',
              }),
            ),
            depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'hops' })),
            columns: Type.Optional(
              Type.Boolean({ default: false, description: 'include column-level edges' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LINEAGE_NODE_LIMIT, default: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            urn: Type.String(),
            nodes: Type.Array(Node),
            edges: Type.Array(Edge),
            columns: Type.Optional(Type.Array(ColumnEdge)),
            truncated: Type.Boolean({ description: 'more assets were reachable than `limit`' }),
          }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const { urn } = request.params;
      await known(urn);
      const direction = request.query.direction ?? 'both';
      const directions: Direction[] = direction === 'both' ? ['upstream', 'downstream'] : [direction];
      const graph = await deps.lineage.graph(urn, {
        directions,
        depth: request.query.depth ?? 3,
        limit: request.query.limit ?? 1000,
        columns: request.query.columns ?? false,
      });
      return asJson({ urn, ...graph });
    },
  );

  app.get(
    '/assets/:urn/impact',
    {
      schema: {
        summary:
          'What a breaking change to the asset affects: every asset downstream of it, and their owners',
        tags: ['lineage'],
        params: Params,
        querystring: Type.Object(
          { depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 10 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            urn: Type.String(),
            breakingChange: Type.Union(
              [
                Type.Object({
                  version: Type.Integer(),
                  summary: Type.String(),
                  occurredAt: Type.String({ format: 'date-time' }),
                }),
                Type.Null(),
              ],
              { description: "the asset's latest breaking schema change, if any" },
            ),
            affected: Type.Array(Node),
            owners: Type.Array(Type.String(), { description: 'owners of the affected assets, to notify' }),
            unowned: Type.Array(Type.String(), { description: 'affected assets with no owner' }),
            truncated: Type.Boolean(),
          }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const { urn } = request.params;
      await known(urn);
      const [graph, versions] = await Promise.all([
        deps.lineage.graph(urn, {
          directions: ['downstream'],
          depth: request.query.depth ?? 10,
          limit: LINEAGE_NODE_LIMIT,
          columns: false,
        }),
        deps.history.schemaVersions(urn, { limit: 50 }),
      ]);
      const affected = graph.nodes.filter((n) => n.direction === 'downstream' && !n.deleted);
      const breaking = versions.find((v) => v.breaking);
      return asJson({
        urn,
        breakingChange: breaking
          ? { version: breaking.version, summary: breaking.summary, occurredAt: breaking.occurredAt }
          : null,
        affected,
        owners: [...new Set(affected.flatMap((n) => n.owners ?? []))].sort(),
        unowned: affected.filter((n) => !n.owners?.length).map((n) => n.urn),
        truncated: graph.truncated,
      });
    },
  );

  app.post(
    '/lineage',
    {
      config: { role: 'steward' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        summary: 'Publish OpenLineage RunEvents (what an integration would send to the lineage topic)',
        tags: ['lineage', 'ingest'],
        body: Type.Array(Type.Unknown(), {
          minItems: 1,
          maxItems: LINEAGE_MAX_EVENTS,
          description: 'OpenLineage RunEvents (spec 2-0-2)',
        }),
        response: {
          202: Type.Object({
            accepted: Type.Array(
              Type.Object({ index: Type.Integer(), runId: Type.String(), eventType: Type.String() }),
            ),
            errors: Type.Array(Type.Object({ index: Type.Integer(), errors: Type.Array(Problem) })),
          }),
          ...errorResponses(400, 401, 403, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const valid: { index: number; event: RunEvent }[] = [];
      const errors: { index: number; errors: { path: string; message: string }[] }[] = [];
      for (const [index, value] of request.body.entries()) {
        const checked = validateRunEvent(value);
        if (checked.ok) valid.push({ index, event: checked.event });
        else errors.push({ index, errors: checked.errors.map(({ path, message }) => ({ path, message })) });
      }
      // An event too large for the topic once encoded is refused alone; the rest is sent.
      const { sent, refused } = await publishValid(valid, (events) => deps.lineageIngest.publish(events));
      for (const { item, problem } of refused)
        errors.push({ index: item.index, errors: [{ path: problem.path, message: problem.message }] });
      errors.sort((a, b) => a.index - b.index);
      request.log.info({ accepted: sent.length, refused: errors.length }, 'ingested lineage events');
      return reply.code(202).send({
        accepted: sent.map(({ index, event }) => ({
          index,
          runId: event.run.runId,
          eventType: event.eventType ?? 'OTHER',
        })),
        errors,
      });
    },
  );
  done();
};
