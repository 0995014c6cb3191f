import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
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

const AssetResponse = Type.Object({
  asset: AssetSummary,
  freshness: Freshness,
});

/** GET /assets/{urn}: the asset as indexed, with the index's freshness. */
export const assetRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.get(
    '/assets/:urn',
    {
      schema: {
        summary: 'One asset: its columns with classes, quality and violations summary',
        tags: ['assets'],
        params: UrnParams,
        response: { 200: AssetResponse, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const [asset, freshness] = await Promise.all([
        deps.assets.get(request.params.urn),
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
      return asJson({ asset, freshness });
    },
  );
  done();
};
