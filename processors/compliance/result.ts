/**
 * The value compliance publishes on steward.compliance.v1 and writes to `asset_compliance` (Avro-shaped:
 * optional fields null, never absent). Pure.
 */
import { createHash } from 'node:crypto';
import type { Sensitivity } from './classify/classes.ts';
import type { Evidence } from './classify/classify.ts';
import type { PathHop } from './propagation.ts';
import { assetSensitivity, type ColumnClasses, type ViolationState } from './state.ts';
import { openViolations, worstSeverity } from './violations.ts';

export interface ResultEvidence extends Omit<Evidence, 'exemplar'> {
  readonly exemplar: string | null;
}

export interface ComplianceResult {
  readonly urn: string;
  readonly revision: number;
  readonly deleted: boolean;
  readonly rulesetVersion: string;
  readonly evaluatedAt: string;
  readonly sensitivity: Sensitivity;
  readonly columns: readonly {
    readonly name: string;
    readonly classes: readonly {
      readonly class: string;
      readonly status: string;
      readonly confidence: number;
      readonly lowConfidence: boolean;
      readonly effective: boolean;
      readonly decidedBy: string | null;
      readonly evidence: ResultEvidence | null;
      readonly path: readonly PathHop[] | null;
    }[];
  }[];
  readonly openViolations: readonly {
    readonly id: string;
    readonly policy: string;
    readonly severity: string;
    readonly escalated: boolean;
    readonly openedAt: string;
    readonly dueAt: string;
    readonly reasons: readonly string[];
  }[];
  readonly worstSeverity: string | null;
}

export function buildResult(input: {
  readonly urn: string;
  readonly revision: number;
  readonly deleted: boolean;
  readonly rulesetVersion: string;
  readonly evaluatedAt: string;
  readonly columns: readonly ColumnClasses[];
  readonly violations: Readonly<Record<string, ViolationState>>;
}): ComplianceResult {
  const open = openViolations(input.violations);
  return {
    urn: input.urn,
    revision: input.revision,
    deleted: input.deleted,
    rulesetVersion: input.rulesetVersion,
    evaluatedAt: input.evaluatedAt,
    sensitivity: assetSensitivity(input.columns),
    columns: input.columns
      .filter((c) => c.classes.length)
      .map((c) => ({
        name: c.name,
        classes: c.classes.map((k) => ({
          class: k.class,
          status: k.status,
          confidence: k.confidence,
          lowConfidence: k.lowConfidence,
          effective: k.effective,
          decidedBy: k.decidedBy,
          evidence: k.evidence && { ...k.evidence, exemplar: k.evidence.exemplar ?? null },
          path: k.path,
        })),
      })),
    openViolations: open.map((v) => ({
      id: v.id,
      policy: v.policy,
      severity: v.severity,
      escalated: v.escalated,
      openedAt: v.openedAt,
      dueAt: v.dueAt,
      reasons: v.reasons,
    })),
    worstSeverity: worstSeverity(open),
  };
}

/** What a result says, without its revision and evaluation instant: equal digests publish nothing. */
export function resultDigest(result: ComplianceResult): string {
  const { revision: _revision, evaluatedAt: _at, ...content } = result;
  return createHash('sha256').update(JSON.stringify(content)).digest('base64url');
}
