import type { Client } from '@elastic/elasticsearch';
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { reconcileIndex } from '../../adapters/elasticsearch/reindex.ts';
import type { Sweep } from '../sweep-runner.ts';

/**
 * index-reconcile: the PostgreSQL ↔ Elasticsearch reconcile `steward reconcile` runs, on a timer, and its
 * drift (documents missing or older than PostgreSQL, documents of deleted or unknown assets) as a metric
 * and in the run's outcome. Its writes are the indexer's kind of write (a whole document at the asset's
 * revision, external_gte), so it can run alongside the indexer: whichever write is older loses.
 */
export function indexReconcileSweep(deps: {
  pool: pg.Pool;
  client: Client;
  alias: string;
  registry: Registry;
}): Sweep {
  const drift = new Gauge({
    name: 'steward_index_drift_documents',
    help: 'Documents the latest index-reconcile found missing, outdated or orphaned (and repaired)',
    labelNames: ['kind'],
    registers: [deps.registry],
  });
  return {
    job: 'index-reconcile',
    async run({ logger }) {
      const result = await reconcileIndex({ pool: deps.pool, client: deps.client, alias: deps.alias });
      drift.set({ kind: 'written' }, result.written);
      drift.set({ kind: 'deleted' }, result.deleted);
      const driftCount = result.written + result.deleted;
      if (driftCount > 0) logger.warn({ ...result }, 'the index had drifted from PostgreSQL; repaired');
      return { ...result, drift: driftCount };
    },
  };
}
