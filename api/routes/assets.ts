import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Counter } from 'prom-client';
import { Type } from 'typebox';
import type { AssetSummary as Summary } from '../../src/adapters/elasticsearch/asset-search.ts';
import type { DocumentState } from '../../src/adapters/postgres/history-reader.ts';
import { MAX_URN_LENGTH } from '../../src/domain/urn.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { freshnessOrNull } from '../freshness.ts';
import { AssetSummary } from '../schemas/asset.ts';
import { asJson, errorResponses, Freshness } from '../schemas/common.ts';

const UrnParams = Type.Object({
  urn: Type.String({
    minLength: 1,
    maxLength: MAX_URN_LENGTH,
    description: 'the asset URN, percent-encoded as a path segment (encodeURIComponent)',
  }),
});

const Evidence = Type.Object({
  detector: Type.String({ description: 'values:<strength>, name, masked-values or name+values:<strength>' }),
  matchedFraction: Type.Union([Type.Number(), Type.Null()]),
  nameSignal: Type.Union([Type.String(), Type.Null()]),
  sampleSize: Type.Integer(),
  nonMissing: Type.Integer(),
  distinct: Type.Integer(),
  masked: Type.Boolean(),
  rulesetVersion: Type.String(),
  exemplar: Type.Union([Type.String({ description: 'one matching value, masked' }), Type.Null()]),
});

const ColumnEvidence = Type.Object({
  name: Type.String(),
  classes: Type.Array(
    Type.Object({
      class: Type.String(),
      status: Type.String({ description: 'inferred, propagated, confirmed or rejected' }),
      confidence: Type.Number(),
      lowConfidence: Type.Boolean(),
      effective: Type.Boolean({ description: 'counts for sensitivity and policies' }),
      decidedBy: Type.Union([Type.String(), Type.Null()]),
      evidence: Type.Union([Evidence, Type.Null()]),
      path: Type.Optional(
        Type.Union(
          [
            Type.Array(Type.Object({ urn: Type.String(), column: Type.String(), job: Type.String() })),
            Type.Null(),
          ],
          {
            description:
              'for a class inherited along column lineage: the upstream columns it came through, from where it was found to the direct parent, each with the job that read it',
          },
        ),
      ),
    }),
  ),
});

const AssetResponse = Type.Object({
  asset: AssetSummary,
  evidence: Type.Union(
    [
      Type.Object({
        evaluatedAt: Type.String({ format: 'date-time' }),
        rulesetVersion: Type.String(),
        columns: Type.Array(ColumnEvidence),
      }),
      Type.Null(),
    ],
    { description: "compliance's classes per column with their evidence, from PostgreSQL; null before any" },
  ),
  freshness: Freshness,
});

/** How long a cached document is kept; it is keyed by its revision, so it is never served stale. */
export const ASSET_CACHE_TTL_MS = 10 * 60_000;

/**
 * GET /assets/{urn}: the asset as indexed, with the evidence behind its classes and the index's freshness.
 * The indexed document is cached in Redis under its URN and document revision: PostgreSQL says which
 * revision is current (one primary-key read), so a cached answer is used only while it is the current
 * revision — never older than the index — and only documents the index already holds at that revision
 * are cached. When Redis or PostgreSQL cannot answer, the index is read directly.
 */
export const assetRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const cacheResults = new Counter({
    name: 'steward_api_cache_requests_total',
    help: 'Asset reads by cache result: hit, miss (read from the index), bypass (no revision known), error',
    labelNames: ['result'] as const,
    registers: [deps.metrics],
  });

  const cached = async (key: string): Promise<Summary | undefined> => {
    try {
      const text = await deps.cache.get(key);
      cacheResults.inc({ result: text === undefined ? 'miss' : 'hit' });
      return text === undefined ? undefined : (JSON.parse(text) as Summary);
    } catch {
      cacheResults.inc({ result: 'error' });
      return undefined;
    }
  };

  const indexed = async (urn: string, state: DocumentState | undefined): Promise<Summary | undefined> => {
    if (!state) {
      cacheResults.inc({ result: 'bypass' });
      return deps.assets.get(urn);
    }
    const key = `asset\n${urn}\n${String(state.revision)}`;
    const hit = await cached(key);
    if (hit) return hit;
    const asset = await deps.assets.get(urn);
    if (asset?.revision === state.revision)
      void deps.cache.set(key, JSON.stringify(asset), ASSET_CACHE_TTL_MS).catch(() => undefined);
    return asset;
  };

  app.get(
    '/assets/:urn',
    {
      schema: {
        summary: 'One asset: its columns with classes and evidence, quality and violations summary',
        tags: ['assets'],
        params: UrnParams,
        response: { 200: AssetResponse, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { urn } = request.params;
      const state = await deps.history.documentState(urn).catch((error: unknown) => {
        request.log.warn({ err: error }, 'document state unavailable: reading the index directly');
        return undefined;
      });
      const [asset, freshness] = await Promise.all([
        state?.deleted ? Promise.resolve(undefined) : indexed(urn, state),
        freshnessOrNull(deps, request.log),
      ]);
      if (!asset)
        throw new ApiError(
          404,
          'STW_NOT_FOUND',
          freshness?.caughtUp === false
            ? 'no such asset in the index (the index is behind: it may not be indexed yet)'
            : 'no such asset',
          'params.urn',
        );
      return asJson({ asset, evidence: state?.compliance ?? null, freshness });
    },
  );
  done();
};
