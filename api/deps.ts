import type { Registry } from 'prom-client';
import type { AssetSearch } from '../src/adapters/elasticsearch/asset-search.ts';
import type { AssetHistory } from '../src/adapters/postgres/history-reader.ts';
import type { FreshnessSummary } from '../src/domain/freshness.ts';
import type { Check } from '../src/observability/health-server.ts';

/** What the routes need, as interfaces over the adapters: buildApp never creates a client itself. */
export interface ApiDeps {
  readonly assets: AssetSearch;
  /** Schema, quality and violation history from PostgreSQL, the system of record. */
  readonly history: AssetHistory;
  /** The freshness of the groups that feed the index (metadata-sync, compliance, quality, indexer). */
  readonly freshness: () => Promise<Omit<FreshnessSummary, 'partitions'>>;
  readonly checks: Readonly<Record<string, Check>>;
  readonly metrics: Registry;
}
