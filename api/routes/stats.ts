import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Kpis } from '../../src/scheduler/sweeps/kpi-aggregate.ts';
import type { ApiDeps } from '../deps.ts';
import { asJson, errorResponses } from '../schemas/common.ts';

const Counts = Type.Record(Type.String(), Type.Integer());
const Share = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);

const KpiSchema = Type.Object({
  assets: Type.Integer(),
  assetsByPlatform: Counts,
  assetsByType: Counts,
  ownershipCoverage: Share,
  tagCoverage: Share,
  placeholders: Type.Integer(),
  deletedAssets: Type.Integer(),
  schemaChanges24h: Type.Integer(),
  breakingChanges24h: Type.Integer(),
  assetsBySensitivity: Counts,
  openViolationsBySeverity: Counts,
  escalatedViolations: Type.Integer(),
  violationsOpened24h: Type.Integer(),
  violationsResolved24h: Type.Integer(),
  assetsByQualityBand: Counts,
  meanQualityScore: Type.Union([Type.Number(), Type.Null()]),
});

/** Live KPIs are computed at most once per this many ms per API instance. */
export const KPI_CACHE_MS = 60_000;

/** Governance KPIs (live, and the kpi-aggregate job's daily series) and the data sources. */
export const statsRoutes: FastifyPluginCallbackTypebox<{ deps: ApiDeps; clock?: () => number }> = (
  app,
  { deps, clock = Date.now },
  done,
) => {
  let cached: { at: number; kpis: Promise<Kpis> } | undefined;
  const liveKpis = (): { at: number; kpis: Promise<Kpis> } => {
    const now = clock();
    if (!cached || now - cached.at >= KPI_CACHE_MS) {
      const entry = { at: now, kpis: deps.governance.kpis(new Date(now)) };
      // A failed computation is not kept: the next request tries again.
      entry.kpis.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached;
  };

  app.get(
    '/stats',
    {
      schema: {
        summary: 'Governance KPIs now (computed from PostgreSQL, at most 60 s old) and their daily series',
        tags: ['stats'],
        querystring: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            computedAt: Type.String({ format: 'date-time' }),
            kpis: KpiSchema,
            series: Type.Array(Type.Object({ slot: Type.String({ format: 'date-time' }), kpis: KpiSchema }), {
              description: "the kpi-aggregate job's snapshots, oldest first",
            }),
          }),
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request) => {
      const days = request.query.days ?? 30;
      const live = liveKpis();
      const [kpis, series] = await Promise.all([
        live.kpis,
        deps.governance.kpiSeries(new Date(clock() - days * 86_400_000)),
      ]);
      return asJson({ computedAt: new Date(live.at).toISOString(), kpis, series });
    },
  );

  app.get(
    '/sources',
    {
      schema: {
        summary: 'Every data source (platform, instance): asset counts, last event time, staleness',
        tags: ['stats'],
        response: {
          200: Type.Object({
            sources: Type.Array(
              Type.Object({
                platform: Type.String(),
                instance: Type.String(),
                assets: Type.Integer({ description: 'live assets reported by the source' }),
                deletedAssets: Type.Integer(),
                staleAssets: Type.Integer({ description: 'live assets not reported within their interval' }),
                stale: Type.Boolean({ description: 'every live asset of the source is stale' }),
                lastEventAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
                lastUpdatedAt: Type.String({ format: 'date-time' }),
              }),
            ),
          }),
          ...errorResponses(401, 403, 503),
        },
      },
    },
    async () => {
      const sources = await deps.governance.sources();
      return asJson({
        sources: sources.map((s) => ({ ...s, stale: s.assets > 0 && s.staleAssets === s.assets })),
      });
    },
  );
  done();
};
