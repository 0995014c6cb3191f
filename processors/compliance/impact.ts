/**
 * Downstream impact of an asset's breaking change, as alerts for the owners of what depends on it. Pure.
 *
 * When metadata-sync records a breaking schema version of an asset (schema-diff.ts: a dropped column, a
 * narrowed or incompatible type, a new required column …) or the asset is deleted, every asset downstream
 * of it in the lineage graph (active dataset edges, the same walk as `GET /v1/assets/{urn}/impact`) gets
 * one alert on steward.alerts.v1 addressed to its owners, so the notifier routes it like a violation.
 * The alert's id derives from (upstream, schema version or deletion, downstream): a redelivery, a replay or
 * a second instance yields the same id, and receivers dedupe on it.
 */
import { commandId } from '../../src/domain/command.ts';
import type { Severity } from '../../src/domain/policy.ts';
import type { Transition } from './violations.ts';

export const BREAKING_CHANGE_KIND = 'upstream-breaking-change' as const;
/** The pseudo-policy such alerts name (they are not violations: nothing resolves them). */
export const BREAKING_CHANGE_POLICY = 'lineage.upstream-breaking-change';
const SEVERITY: Severity = 'high';

export interface DownstreamAsset {
  readonly urn: string;
  /** Hops from the changed asset. */
  readonly depth: number;
  readonly owners: readonly string[];
}

/** A change to announce: a breaking schema version, or the asset's deletion (version null). */
export interface UpstreamChange {
  readonly urn: string;
  readonly name: string;
  readonly version: number | null;
  readonly at: string;
  /** What broke, one line per change (the diff's reasons), or why it counts. */
  readonly reasons: readonly string[];
}

/** The value on steward.alerts.v1 (topics/schemas/alert.ts): shaped as a violation transition. */
export type ImpactAlert = Omit<Transition, 'kind' | 'previousSeverity'> & {
  readonly kind: typeof BREAKING_CHANGE_KIND;
  readonly previousSeverity: null;
};

export function impactAlerts(
  change: UpstreamChange,
  downstream: readonly DownstreamAsset[],
  truncated: boolean,
): ImpactAlert[] {
  const what = change.version === null ? 'deleted' : `schema v${change.version}`;
  const changeId = `${change.urn}@${change.version === null ? 'deleted' : String(change.version)}`;
  return downstream.map((d) => ({
    id: commandId(BREAKING_CHANGE_KIND, change.urn, what, d.urn),
    violationId: changeId,
    seq: 1,
    kind: BREAKING_CHANGE_KIND,
    urn: d.urn,
    policy: BREAKING_CHANGE_POLICY,
    policyVersion: change.version ?? 0,
    title:
      change.version === null
        ? `Upstream asset ${change.name} was deleted`
        : `Breaking schema change upstream: ${change.name} (${what})`,
    severity: SEVERITY,
    previousSeverity: null,
    at: change.at,
    reasons: [
      `${change.urn} is ${d.depth === 1 ? 'a direct' : `${d.depth} hops`} upstream of this asset`,
      ...change.reasons,
      ...(truncated ? ['more downstream assets are affected than one alert run covers'] : []),
    ],
    remediation:
      change.version === null
        ? 'Repoint or retire the jobs that read the deleted asset.'
        : 'Check the jobs and queries that read the changed columns; see GET /v1/assets/{urn}/impact of the upstream asset.',
    owners: d.owners,
    openedAt: change.at,
    dueAt: change.at,
  }));
}
