/**
 * The asset index's document (src/adapters/elasticsearch/asset-index.ts has its mapping): one per asset,
 * written whole by the indexer at the asset's revision. Here, in the domain, because processors build it
 * and processors may import src/domain but not the adapters.
 */

export type Sensitivity = 'none' | 'internal' | 'confidential' | 'restricted';
/** processors/quality/score.ts: healthy ≥ 90, at risk ≥ 75, critical below; unknown until scored. */
export type QualityBand = 'healthy' | 'at_risk' | 'critical' | 'unknown';
/** The most pressing status among the asset's violations; `none` when it has none. */
export type ViolationStatus = 'none' | 'open' | 'acknowledged';

export interface AssetColumnDocument {
  readonly name: string;
  /** searchableWords([name]). */
  readonly words: string;
  readonly type?: string;
  readonly classes: readonly string[];
  readonly description?: string;
}

/**
 * The full document of one asset. Dates are ISO-8601 strings. `columnNames` is filled by `copy_to`.
 * A type, not an interface, so it is assignable to the sink's `Record<string, unknown>` documents.
 */
export type AssetDocument = {
  readonly urn: string;
  readonly platform: string;
  readonly instance: string;
  readonly type: string;
  readonly name: string;
  /** searchableWords([name]). */
  readonly nameWords: string;
  readonly qualifiedName: string;
  readonly description?: string;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly columns: readonly AssetColumnDocument[];
  /** The union of the columns' classes. */
  readonly classes: readonly string[];
  readonly sensitivity: Sensitivity;
  readonly quality: {
    readonly score?: number;
    readonly band: QualityBand;
    readonly dimensions: Readonly<Record<string, number>>;
  };
  readonly violations: {
    readonly open: number;
    readonly openPolicies: readonly string[];
    readonly status: ViolationStatus;
    /** The worst severity among the open violations (low, medium, high, critical). */
    readonly worstSeverity?: string;
  };
  readonly deleted: boolean;
  readonly revision: number;
  readonly updatedAt: string;
  readonly schemaChangedAt?: string;
  readonly lastModifiedAt?: string;
  readonly freshUntil?: string;
  /** As of the last write; queries use `freshUntil` against now, which is right even between writes. */
  readonly stale: boolean;
};

/** The alias every writer and reader of the asset index uses: `<prefix>-assets` (the prefix is config). */
export const aliasName = (prefix: string): string => `${prefix}-assets`;
