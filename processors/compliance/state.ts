/**
 * compliance's state per asset (jsonb, derived evidence only) and the views computed from it: each
 * column's classes (inferred by the classifier, confirmed or rejected by a steward) and the facts policies
 * are evaluated over. Pure.
 *
 * Which classes count (for policies, sensitivity and quality's validity): a steward's confirmation always;
 * an inferred class unless a steward rejected it or it is low-confidence; a class propagated along column
 * lineage unless a steward rejected it. Low-confidence classes are still shown, marked, so a steward can
 * confirm them.
 */
import { isClassId, sensitivityOf, type ClassId, type Sensitivity } from './classify/classes.ts';
import type { Classification, Evidence } from './classify/classify.ts';
import type { AssetFacts } from './policies/evaluate.ts';
import type { Severity } from '../../src/domain/policy.ts';
import type { PathHop, PropagatedColumns } from './propagation.ts';

/** What the assets topic last said about the asset (metadata-sync's merged view). */
export interface CatalogFacts {
  /** The assets topic revision these facts come from: older records are ignored. */
  readonly revision: number;
  readonly deleted: boolean;
  readonly platform: string;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly columns: readonly {
    readonly name: string;
    readonly type: string;
    readonly description: string | null;
  }[];
}

/** The classifier's verdict for one column, from its newest profile. */
export interface ColumnVerdict {
  readonly profiledAt: string;
  /** The change event the samples came from. */
  readonly eventId: string;
  /** The classifier rule set that judged it: a newer one re-classifies on the next profile. */
  readonly rulesetVersion: string;
  readonly classifications: readonly Classification[];
}

export type DecisionKind = 'confirmed' | 'rejected';

export interface Decision {
  readonly decision: DecisionKind;
  readonly by: string;
  readonly at: string;
  readonly reason: string | null;
}

/** The latest violation episode of one policy on this asset. */
export interface ViolationState {
  readonly id: string;
  readonly policy: string;
  readonly policyVersion: number;
  readonly episode: number;
  readonly status: 'open' | 'resolved';
  readonly severity: Severity;
  readonly escalated: boolean;
  readonly reasons: readonly string[];
  readonly openedAt: string;
  readonly dueAt: string;
  readonly resolvedAt: string | null;
  /** Transitions so far: the next one is seq + 1. */
  readonly seq: number;
}

export interface ComplianceState {
  readonly catalog: CatalogFacts | null;
  /** By column name. */
  readonly verdicts: Readonly<Record<string, ColumnVerdict>>;
  /** By column name, then class. */
  readonly decisions: Readonly<Record<string, Readonly<Record<string, Decision>>>>;
  /** By policy id. */
  readonly violations: Readonly<Record<string, ViolationState>>;
  /** Classes inherited along column lineage (propagation.ts), as last read; absent in older states. */
  readonly propagated?: PropagatedColumns;
  /** The newest schema version whose breaking change was announced downstream. */
  readonly alertedSchemaVersion?: number;
  /** compliance's own revision of the asset: +1 whenever its result changes. */
  readonly revision: number;
  /** A digest of the last published result: an evaluation that changes nothing publishes nothing. */
  readonly digest: string | null;
}

export const emptyState = (): ComplianceState => ({
  catalog: null,
  verdicts: {},
  decisions: {},
  violations: {},
  propagated: {},
  revision: 0,
  digest: null,
});

export type ClassStatus = 'inferred' | 'propagated' | 'confirmed' | 'rejected';

/** A class on a column as published: the classifier's evidence and the steward's decision, if any. */
export interface ColumnClass {
  readonly class: ClassId;
  readonly status: ClassStatus;
  readonly confidence: number;
  readonly lowConfidence: boolean;
  /** null for a class a steward confirmed that the classifier did not infer. */
  readonly evidence: Evidence | null;
  readonly decidedBy: string | null;
  /** Counts for policies, sensitivity and validity. */
  readonly effective: boolean;
  /** For a class inherited along column lineage: the upstream columns it came through. */
  readonly path: readonly PathHop[] | null;
}

export interface ColumnClasses {
  readonly name: string;
  readonly classes: readonly ColumnClass[];
}

/**
 * The columns the asset has now: the catalog's, when it reported any (a dropped column loses its
 * classes), else every column a profile or decision named.
 */
function currentColumns(state: ComplianceState): string[] {
  const catalog = state.catalog?.columns.map((c) => c.name) ?? [];
  if (catalog.length) return catalog;
  return [
    ...new Set([
      ...Object.keys(state.verdicts),
      ...Object.keys(state.decisions),
      ...Object.keys(state.propagated ?? {}),
    ]),
  ].sort();
}

/**
 * Each current column's classes: the classifier's (with a steward's decision on them, and the lineage path
 * when the class also arrived along lineage), then classes inherited along lineage that the classifier did
 * not find (a steward's rejection shows them rejected and not effective), then classes only a steward
 * confirmed.
 */
export function columnClasses(state: ComplianceState): ColumnClasses[] {
  if (state.catalog?.deleted) return [];
  return currentColumns(state).map((name) => {
    const decisions = state.decisions[name] ?? {};
    const inferred = state.verdicts[name]?.classifications ?? [];
    const inherited = new Map((state.propagated?.[name] ?? []).map((p) => [p.class, p]));
    const classes: ColumnClass[] = inferred.map((c) => {
      const decision = decisions[c.class];
      const p = inherited.get(c.class);
      // A guess the classifier was unsure of counts once lineage says the same: it is then propagated.
      const upgraded = !decision && c.lowConfidence && p !== undefined;
      const status: ClassStatus = decision?.decision ?? (upgraded ? 'propagated' : 'inferred');
      return {
        class: c.class,
        status,
        confidence: upgraded ? p.confidence : c.confidence,
        lowConfidence: upgraded ? false : c.lowConfidence,
        evidence: c.evidence,
        decidedBy: decision?.by ?? null,
        effective: status === 'confirmed' || upgraded || (status === 'inferred' && !c.lowConfidence),
        path: p?.path ?? null,
      };
    });
    for (const p of state.propagated?.[name] ?? []) {
      if (classes.some((c) => c.class === p.class)) continue;
      const decision = decisions[p.class];
      const status: ClassStatus = decision?.decision ?? 'propagated';
      classes.push({
        class: p.class,
        status,
        confidence: p.confidence,
        lowConfidence: false,
        evidence: null,
        decidedBy: decision?.by ?? null,
        effective: status !== 'rejected',
        path: p.path,
      });
    }
    for (const [cls, decision] of Object.entries(decisions)) {
      if (!isClassId(cls) || classes.some((c) => c.class === cls) || decision.decision !== 'confirmed')
        continue;
      classes.push({
        class: cls,
        status: 'confirmed',
        confidence: 1,
        lowConfidence: false,
        evidence: null,
        decidedBy: decision.by,
        effective: true,
        path: null,
      });
    }
    return { name, classes };
  });
}

export function effectiveClasses(columns: readonly ColumnClasses[]): ClassId[] {
  return [...new Set(columns.flatMap((c) => c.classes.filter((k) => k.effective).map((k) => k.class)))];
}

export function assetSensitivity(columns: readonly ColumnClasses[]): Sensitivity {
  return sensitivityOf(effectiveClasses(columns));
}

/** What policies see; null until the catalog has reported the asset (owners and tags are unknown). */
export function factsOf(
  urn: string,
  state: ComplianceState,
  columns: readonly ColumnClasses[],
): AssetFacts | null {
  const catalog = state.catalog;
  if (!catalog || catalog.deleted) return null;
  return {
    urn,
    platform: catalog.platform,
    owners: catalog.owners,
    tags: catalog.tags,
    description: catalog.description,
    columns: columns.map((c) => ({
      name: c.name,
      classes: c.classes
        .filter((k) => k.effective)
        .map((k) => ({ class: k.class, masked: k.evidence?.masked ?? false })),
    })),
  };
}
