/**
 * The one interpreter of policies (schema.ts) over what is known of an asset. Pure: the clock is an
 * argument (waivers expire). Every policy, built-in or created through the API, goes through here.
 */
import { sensitivityOf, type ClassId, type Sensitivity } from '../classify/classes.ts';
import type { Assertion, Policy } from '../../../src/domain/policy.ts';

/** What a policy can look at: the catalog's view of the asset and its columns' confirmed classes. */
export interface AssetFacts {
  readonly urn: string;
  readonly platform: string;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly columns: readonly {
    readonly name: string;
    readonly classes: readonly { readonly class: ClassId; readonly masked: boolean }[];
  }[];
}

export interface Evaluation {
  readonly policy: string;
  readonly version: number;
  /** The asset is in the policy's scope. */
  readonly applies: boolean;
  /** In scope and the assertion holds (or not in scope: nothing to hold). */
  readonly passes: boolean;
  /** A waiver for this asset, unexpired at `now`: a failure does not open a violation. */
  readonly waived: { readonly reason: string; readonly expiresAt: string } | null;
  /** Why it fails, for people: which columns, which missing owner or tag. */
  readonly reasons: readonly string[];
}

/** `retention:*` matches any tag starting `retention:`; anything else matches exactly. */
export const tagMatches = (pattern: string, tag: string): boolean =>
  pattern.endsWith('*') ? tag.startsWith(pattern.slice(0, -1)) : tag === pattern;

const classesOf = (facts: AssetFacts): ClassId[] => [
  ...new Set(facts.columns.flatMap((c) => c.classes.map((k) => k.class))),
];

export function sensitivityOfAsset(facts: AssetFacts): Sensitivity {
  return sensitivityOf(classesOf(facts));
}

function inScope(policy: Policy, facts: AssetFacts): boolean {
  const { classes, sensitivity, platforms, tags, owners } = policy.scope;
  const present = classesOf(facts);
  if (classes && !classes.some((c) => present.includes(c))) return false;
  if (sensitivity && !sensitivity.includes(sensitivityOf(present))) return false;
  if (platforms && !platforms.includes(facts.platform)) return false;
  if (tags && !tags.some((pattern) => facts.tags.some((tag) => tagMatches(pattern, tag)))) return false;
  if (owners && !owners.some((owner) => facts.owners.includes(owner))) return false;
  return true;
}

/** Why the assertion fails (empty: it holds). */
function failures(assertion: Assertion, facts: AssetFacts): string[] {
  const columnsWith = (classes: readonly ClassId[], masked?: boolean): string[] =>
    facts.columns
      .filter((c) =>
        c.classes.some((k) => classes.includes(k.class) && (masked === undefined || k.masked === masked)),
      )
      .map((c) => c.name);
  switch (assertion.kind) {
    case 'has-owner':
      return facts.owners.length ? [] : ['the asset has no owner'];
    case 'has-description':
      return facts.description?.trim() ? [] : ['the asset has no description'];
    case 'has-tag':
      return assertion.anyOf.some((pattern) => facts.tags.some((tag) => tagMatches(pattern, tag)))
        ? []
        : [`the asset has none of the tags ${assertion.anyOf.join(', ')}`];
    case 'class-absent':
      return columnsWith(assertion.classes).map(
        (column) => `column ${column} holds ${assertion.classes.join('/')}`,
      );
    case 'values-masked':
      return columnsWith(assertion.classes, false).map(
        (column) => `column ${column} holds readable ${assertion.classes.join('/')}`,
      );
  }
}

export function evaluatePolicy(policy: Policy, facts: AssetFacts, now: Date): Evaluation {
  const base = { policy: policy.id, version: policy.version };
  if (!policy.enabled || !inScope(policy, facts))
    return { ...base, applies: false, passes: true, waived: null, reasons: [] };
  const reasons = failures(policy.assert, facts);
  const waiver = policy.waivers.find((w) => w.urn === facts.urn && Date.parse(w.expiresAt) > now.getTime());
  return {
    ...base,
    applies: true,
    passes: reasons.length === 0,
    waived: waiver ? { reason: waiver.reason, expiresAt: waiver.expiresAt } : null,
    reasons,
  };
}
