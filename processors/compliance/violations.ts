/**
 * Violations and their transitions. Pure: policies' evaluations and the instant in, the next violation
 * states and the transitions out.
 *
 * A violation opens when a policy fails for an asset (in scope, assertion fails, no unexpired waiver),
 * stays open while it fails, and resolves when it passes (or leaves scope, or the policy is disabled or
 * removed, or the asset is deleted). Each opening starts a new episode. While open, a change of the
 * policy's severity is a `severity-changed` transition, and passing the due time (opened + SLA) an
 * `escalated` one, once per episode.
 *
 * Ids are deterministic: a violation's id is derived from (urn, policy, episode) and a transition's from
 * (violation id, seq), where seq counts the violation's transitions. The state they are computed from is
 * the processor's, written with optimistic concurrency, so re-evaluation, a replay or a second instance
 * derive the same ids and never a second id for the same transition.
 */
import { commandId } from '../../src/domain/command.ts';
import type { Evaluation } from './policies/evaluate.ts';
import { SEVERITIES, type Policy, type Severity } from '../../src/domain/policy.ts';
import type { ViolationState } from './state.ts';

export const TRANSITION_KINDS = ['opened', 'resolved', 'severity-changed', 'escalated'] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

/** One transition: the alert relayed to steward.alerts.v1 and the violation_transitions row. */
export interface Transition {
  readonly id: string;
  readonly violationId: string;
  readonly seq: number;
  readonly kind: TransitionKind;
  readonly urn: string;
  readonly policy: string;
  readonly policyVersion: number;
  readonly title: string;
  readonly severity: Severity;
  readonly previousSeverity: Severity | null;
  readonly at: string;
  readonly reasons: readonly string[];
  readonly remediation: string;
  readonly owners: readonly string[];
  readonly openedAt: string;
  readonly dueAt: string;
}

export const violationId = (urn: string, policy: string, episode: number): string =>
  commandId('violation', urn, policy, String(episode));

export const transitionId = (violation: string, seq: number): string =>
  commandId('transition', violation, String(seq));

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export interface ViolationUpdate {
  readonly violations: Readonly<Record<string, ViolationState>>;
  /** Violations whose row changed, for the violations table. */
  readonly changed: readonly ViolationState[];
  readonly transitions: readonly Transition[];
}

const sameReasons = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * The next violations of an asset. `evaluations` holds one entry per current policy (enabled or not);
 * an open violation of a policy with no evaluation (removed, or the asset is gone) resolves with
 * `goneReason`.
 */
export function updateViolations(input: {
  readonly urn: string;
  readonly owners: readonly string[];
  readonly previous: Readonly<Record<string, ViolationState>>;
  readonly policies: ReadonlyMap<string, Policy>;
  readonly evaluations: readonly Evaluation[];
  readonly now: Date;
  readonly goneReason?: string;
}): ViolationUpdate {
  const { urn, owners, previous, policies, now } = input;
  const at = now.toISOString();
  const next: Record<string, ViolationState> = { ...previous };
  const changed: ViolationState[] = [];
  const transitions: Transition[] = [];

  const record = (
    violation: ViolationState,
    kind: TransitionKind,
    policy: Policy | undefined,
    previousSeverity: Severity | null,
  ): ViolationState => {
    const seq = violation.seq + 1;
    const updated = { ...violation, seq };
    transitions.push({
      id: transitionId(violation.id, seq),
      violationId: violation.id,
      seq,
      kind,
      urn,
      policy: violation.policy,
      policyVersion: violation.policyVersion,
      title: policy?.title ?? violation.policy,
      severity: violation.severity,
      previousSeverity,
      at,
      reasons: violation.reasons,
      remediation: policy?.remediation ?? '',
      owners,
      openedAt: violation.openedAt,
      dueAt: violation.dueAt,
    });
    return updated;
  };
  const put = (violation: ViolationState): void => {
    next[violation.policy] = violation;
    changed.push(violation);
  };

  const evaluated = new Map(input.evaluations.map((e) => [e.policy, e]));
  for (const evaluation of input.evaluations) {
    const policy = policies.get(evaluation.policy);
    if (!policy) continue;
    const prior = previous[policy.id];
    const failing = evaluation.applies && !evaluation.passes && evaluation.waived === null;
    if (failing && prior?.status !== 'open') {
      const episode = (prior?.episode ?? 0) + 1;
      const opened: ViolationState = {
        id: violationId(urn, policy.id, episode),
        policy: policy.id,
        policyVersion: policy.version,
        episode,
        status: 'open',
        severity: policy.severity,
        escalated: false,
        reasons: evaluation.reasons,
        openedAt: at,
        dueAt: new Date(now.getTime() + policy.slaHours * 3_600_000).toISOString(),
        resolvedAt: null,
        seq: 0,
      };
      put(record(opened, 'opened', policy, null));
    } else if (failing && prior) {
      let current: ViolationState = { ...prior, policyVersion: policy.version, reasons: evaluation.reasons };
      let touched =
        current.policyVersion !== prior.policyVersion || !sameReasons(prior.reasons, current.reasons);
      if (policy.severity !== prior.severity) {
        current = record(
          { ...current, severity: policy.severity },
          'severity-changed',
          policy,
          prior.severity,
        );
        touched = true;
      }
      if (!current.escalated && now.getTime() > Date.parse(current.dueAt)) {
        current = record({ ...current, escalated: true }, 'escalated', policy, null);
        touched = true;
      }
      if (touched) put(current);
    } else if (!failing && prior?.status === 'open') {
      put(record({ ...prior, status: 'resolved', resolvedAt: at }, 'resolved', policy, null));
    }
  }
  for (const prior of Object.values(previous)) {
    if (prior.status !== 'open' || evaluated.has(prior.policy)) continue;
    const resolved = {
      ...prior,
      status: 'resolved' as const,
      resolvedAt: at,
      reasons: [input.goneReason ?? 'the policy no longer exists'],
    };
    put(record(resolved, 'resolved', undefined, null));
  }
  return { violations: next, changed, transitions };
}

export function openViolations(violations: Readonly<Record<string, ViolationState>>): ViolationState[] {
  return Object.values(violations)
    .filter((v) => v.status === 'open')
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.policy.localeCompare(b.policy));
}

export function worstSeverity(violations: readonly ViolationState[]): Severity | null {
  return violations.reduce<Severity | null>(
    (worst, v) => (worst === null || severityRank(v.severity) > severityRank(worst) ? v.severity : worst),
    null,
  );
}
