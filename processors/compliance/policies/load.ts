/**
 * The current policies, as compliance reads them once per batch (its `lookup`): the highest version of
 * each id in `policies`. A stored definition that no longer validates (written by hand) is left out and
 * reported, never evaluated half-understood.
 */
import type { Reader } from '../../../src/domain/processor.ts';
import { validatePolicy, type Policy } from '../../../src/domain/policy.ts';

export interface PolicySet {
  readonly policies: ReadonlyMap<string, Policy>;
  /** Stored definitions that fail the schema: `id@version: problem`. */
  readonly invalid: readonly string[];
}

export const SELECT_CURRENT_POLICIES = `
  SELECT DISTINCT ON (id) id, version, definition FROM policies ORDER BY id, version DESC`;

export async function loadPolicies(reader: Reader): Promise<PolicySet> {
  const rows = await reader.rows<{ id: string; version: number; definition: unknown }>(
    SELECT_CURRENT_POLICIES,
    [],
  );
  const policies = new Map<string, Policy>();
  const invalid: string[] = [];
  for (const row of rows) {
    const checked = validatePolicy(row.definition);
    if (!checked.ok) {
      invalid.push(
        `${row.id}@${row.version}: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      );
      continue;
    }
    if (checked.policy.id !== row.id || checked.policy.version !== row.version) {
      invalid.push(
        `${row.id}@${row.version}: the definition says ${checked.policy.id}@${checked.policy.version}`,
      );
      continue;
    }
    policies.set(row.id, checked.policy);
  }
  return { policies, invalid };
}
