import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from 'typebox';
import type { AssetFilters } from '../../src/adapters/elasticsearch/asset-queries.ts';
import { facets, limits } from '../../src/adapters/elasticsearch/asset-queries.ts';
import type { ApiDeps } from '../deps.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { ApiError } from '../errors.ts';
import { freshnessOrNull } from '../freshness.ts';
import { AssetSummary } from '../schemas/asset.ts';
import { asJson, errorResponses, Freshness } from '../schemas/common.ts';
import { MAX_URN_LENGTH } from '../../src/domain/urn.ts';
import { LINEAGE_NODE_LIMIT } from './lineage.ts';

const values = <T extends TSchema>(item: T) =>
  Type.Optional(Type.Array(item, { maxItems: limits.maxFilterValues }));
const text = Type.String({ minLength: 1, maxLength: limits.maxValueLength });
const sensitivities = ['none', 'internal', 'confidential', 'restricted'] as const;
const bands = ['healthy', 'at_risk', 'critical', 'unknown'] as const;
const statuses = ['none', 'open', 'acknowledged'] as const;

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: limits.maxTextLength,
        description: 'words over names, qualified names, descriptions and column names; AND by default',
      }),
    ),
    platform: values(text),
    instance: values(text),
    type: values(text),
    owner: values(text),
    tag: values(text),
    class: values(text),
    sensitivity: values(Type.Enum(sensitivities)),
    qualityBand: values(Type.Enum(bands)),
    violationStatus: values(Type.Enum(statuses)),
    all: Type.Optional(
      Type.Array(Type.Enum(facets), {
        maxItems: facets.length,
        description: 'filters whose values must all match (default: any of them)',
      }),
    ),
    hasOpenViolations: Type.Optional(Type.Boolean()),
    stale: Type.Optional(Type.Boolean()),
    schemaChangedSince: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })]),
    ),
    downstreamOf: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_URN_LENGTH,
        description: 'only assets downstream of this one (lineage)',
      }),
    ),
    upstreamOf: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_URN_LENGTH,
        description: 'only assets upstream of this one (lineage)',
      }),
    ),
    lineageDepth: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 20, default: 10, description: 'hops for downstreamOf/upstreamOf' }),
    ),
    sort: Type.Optional(Type.Enum(['relevance', 'name', 'quality', 'updated'])),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxSize, default: 20 })),
    facetSize: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxFacetSize, default: 10 })),
    cursor: Type.Optional(Type.String({ maxLength: 4096, description: 'the `next` of the previous page' })),
  },
  { additionalProperties: false },
);

const FacetBuckets = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }));

const SearchResponse = Type.Object({
  hits: Type.Array(
    Type.Object({ asset: AssetSummary, highlights: Type.Record(Type.String(), Type.Array(Type.String())) }),
  ),
  total: Type.Object({ value: Type.Integer(), relation: Type.Enum(['eq', 'gte']) }),
  facets: Type.Record(Type.String(), FacetBuckets),
  next: Type.Union([Type.String(), Type.Null()], { description: 'cursor of the next page; null at the end' }),
  freshness: Freshness,
  lineageTruncated: Type.Optional(
    Type.Boolean({
      description: `downstreamOf/upstreamOf reached more than ${LINEAGE_NODE_LIMIT} assets: only the nearest were searched`,
    }),
  ),
});

const AutocompleteQuery = Type.Object(
  {
    prefix: Type.String({ minLength: 1, maxLength: limits.maxPrefixLength }),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxSuggestions, default: 10 })),
  },
  { additionalProperties: false },
);

const AutocompleteResponse = Type.Object({
  suggestions: Type.Array(
    Type.Object({
      kind: Type.Enum(['asset', 'column']),
      urn: Type.String(),
      text: Type.String(),
      asset: Type.Object({
        urn: Type.String(),
        name: Type.String(),
        qualifiedName: Type.String(),
        platform: Type.String(),
        type: Type.String(),
      }),
    }),
  ),
});

function filtersOf(query: Static<typeof SearchQuery>): AssetFilters {
  const all = new Set(query.all ?? []);
  const pick = <T extends string>(facet: (typeof facets)[number], list: readonly T[] | undefined) =>
    list?.length ? { [facet]: { values: list, mode: all.has(facet) ? 'all' : 'any' } } : {};
  return {
    ...pick('platform', query.platform),
    ...pick('instance', query.instance),
    ...pick('type', query.type),
    ...pick('owner', query.owner),
    ...pick('tag', query.tag),
    ...pick('class', query.class),
    ...pick('sensitivity', query.sensitivity),
    ...pick('qualityBand', query.qualityBand),
    ...pick('violationStatus', query.violationStatus),
    ...(query.hasOpenViolations !== undefined && { hasOpenViolations: query.hasOpenViolations }),
    ...(query.stale !== undefined && { stale: query.stale }),
    ...(query.schemaChangedSince !== undefined && { schemaChangedSince: query.schemaChangedSince }),
  };
}

/**
 * The assets `downstreamOf` / `upstreamOf` name, resolved in PostgreSQL (the lineage graph) and capped at
 * LINEAGE_NODE_LIMIT, nearest first; both given: the assets in both. Undefined when neither is.
 */
async function lineageScope(
  deps: ApiDeps,
  query: Static<typeof SearchQuery>,
): Promise<{ urns: string[]; truncated: boolean } | undefined> {
  const depth = query.lineageDepth ?? 10;
  const scopes = await Promise.all(
    (
      [
        ['downstream', query.downstreamOf],
        ['upstream', query.upstreamOf],
      ] as const
    ).flatMap(([direction, urn]) =>
      urn === undefined ? [] : [deps.lineage.reachable(urn, direction, { depth, limit: LINEAGE_NODE_LIMIT })],
    ),
  );
  const [first, second] = scopes;
  if (!first) return undefined;
  if (!second) return first;
  const other = new Set(second.urns);
  return { urns: first.urns.filter((u) => other.has(u)), truncated: first.truncated || second.truncated };
}

/** GET /search and GET /autocomplete, over the asset index. */
export const searchRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.get(
    '/search',
    {
      schema: {
        summary: 'Full-text search over assets with filters, facets and cursor pagination',
        tags: ['search'],
        querystring: SearchQuery,
        response: { 200: SearchResponse, ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const query = request.query;
      const sort = query.sort ?? 'relevance';
      const size = query.size ?? 20;
      const searchAfter = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
      const lineage = await lineageScope(deps, query);
      const [page, fresh] = await Promise.all([
        deps.assets
          .search({
            ...(query.q !== undefined && { text: query.q }),
            filters: { ...filtersOf(query), ...(lineage && { urns: lineage.urns }) },
            sort,
            size,
            facetSize: query.facetSize ?? 10,
            ...(searchAfter && { searchAfter }),
          })
          .catch((error: unknown) => {
            if (error instanceof RangeError && searchAfter)
              throw new ApiError(400, 'STW_BAD_CURSOR', `cursor: ${error.message}`, 'querystring.cursor');
            throw error;
          }),
        freshnessOrNull(deps, request.log),
      ]);
      const last = page.hits.at(-1);
      return asJson({
        hits: page.hits.map(({ asset, highlights }) => ({ asset, highlights })),
        total: page.total,
        facets: page.facets,
        next: last && page.hits.length === size ? encodeCursor(sort, last.sort) : null,
        freshness: fresh,
        ...(lineage && { lineageTruncated: lineage.truncated }),
      });
    },
  );

  app.get(
    '/autocomplete',
    {
      schema: {
        summary: 'Asset and column names starting with the prefix (identifier-aware: custPh, cust_ph)',
        tags: ['search'],
        querystring: AutocompleteQuery,
        response: { 200: AutocompleteResponse, ...errorResponses(400, 503) },
      },
    },
    async (request) =>
      asJson({ suggestions: await deps.assets.autocomplete(request.query.prefix, request.query.size) }),
  );
  done();
};
