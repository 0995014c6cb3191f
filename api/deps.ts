import type { LineageReader } from '../src/adapters/postgres/lineage-reader.ts';
import type { RunEvent } from '../src/lineage/openlineage.ts';
import type { Registry } from 'prom-client';
import type { AssetSearch } from '../src/adapters/elasticsearch/asset-search.ts';
import type { ApiMutations } from '../src/adapters/postgres/api-mutations.ts';
import type { AuditEntry } from '../src/adapters/postgres/audit-reader.ts';
import type { GovernanceReader } from '../src/adapters/postgres/governance-reader.ts';
import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { AssetHistory } from '../src/adapters/postgres/history-reader.ts';
import type { FreshnessSummary } from '../src/domain/freshness.ts';
import type { Check } from '../src/observability/health-server.ts';
import type { ReadCache } from '../src/adapters/redis-cache.ts';
import type { RateCounter } from '../src/adapters/redis-rate-counter.ts';
import type { AuthOptions } from './plugins/auth.ts';

/** What the routes need, as interfaces over the adapters: buildApp never creates a client itself. */
export interface ApiDeps {
  readonly assets: AssetSearch;
  /** Schema, quality and violation history from PostgreSQL, the system of record. */
  readonly history: AssetHistory;
  /** Violations, policies, KPIs and sources across the catalog (PostgreSQL). */
  readonly governance: GovernanceReader;
  /** Every write: audited, and sent as commands to the processor that owns the state. */
  readonly mutations: ApiMutations;
  /** HTTP ingest: publishes valid change events to the changes topic (throws ContractError, PublishError). */
  readonly ingest: { publish(events: readonly ChangeEvent[]): Promise<void> };
  /** The lineage graph (PostgreSQL, the lineage processor's tables). */
  readonly lineage: LineageReader;
  /** HTTP lineage ingest: publishes valid RunEvents to the lineage topic, keyed by job. */
  readonly lineageIngest: { publish(events: readonly RunEvent[]): Promise<void> };
  /** The audit log, newest first. */
  readonly audit: (page: { limit: number; beforeId?: number; target?: string }) => Promise<AuditEntry[]>;
  /** The freshness of the groups that feed the index (metadata-sync, compliance, quality, indexer). */
  readonly freshness: () => Promise<Omit<FreshnessSummary, 'partitions'>>;
  readonly checks: Readonly<Record<string, Check>>;
  readonly metrics: Registry;
  /** Credential checks: API keys (PostgreSQL) and JWTs (a secret or a JWKS endpoint). */
  readonly credentials: Pick<AuthOptions, 'apiKey' | 'jwt'>;
  /** The read cache shared by API instances (Redis). */
  readonly cache: ReadCache;
  /** The rate limits' shared counter (Redis). */
  readonly rateCounter: RateCounter;
}
