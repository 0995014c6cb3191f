import { isDeepStrictEqual } from 'node:util';
import { builtinPolicies } from '../../../processors/compliance/policies/builtins.ts';
import { loadPolicies, type PolicySet } from '../../../processors/compliance/policies/load.ts';
import { validatePolicy, type Policy } from '../../domain/policy.ts';
import type { FieldError } from '../../domain/field-errors.ts';
import { inTransaction, type Pool, type PoolClient } from './pool.ts';
import { poolReader } from './reader.ts';

/**
 * Policies in PostgreSQL (`policies`): versioned rows, the highest version of an id current. Written here
 * (`steward policies apply`, the API later) and read by compliance once per batch.
 */

/** Stores the built-in policies at their versions (kept when present): compliance does it at start-up. */
export async function seedBuiltinPolicies(pool: Pool): Promise<number> {
  let inserted = 0;
  for (const policy of builtinPolicies) {
    const result = await pool.query(
      `INSERT INTO policies (id, version, definition, builtin, created_by) VALUES ($1, $2, $3, true, 'steward')
       ON CONFLICT DO NOTHING`,
      [policy.id, policy.version, JSON.stringify(policy)],
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

export function currentPolicies(pool: Pool): Promise<PolicySet> {
  return loadPolicies(poolReader(pool));
}

export type PutResult =
  | { readonly ok: true; readonly policy: Policy; readonly changed: boolean }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/**
 * Stores `definition` as the next version of its id (its own `version` is ignored: versions are
 * assigned here, one above the current). An unchanged definition stores nothing (`changed: false`).
 */
export function putPolicy(pool: Pool, definition: unknown, by: string): Promise<PutResult> {
  return inTransaction(pool, (client) => putPolicyIn(client, definition, by));
}

/** putPolicy inside the caller's transaction (the API audits in the same one). */
export async function putPolicyIn(client: PoolClient, definition: unknown, by: string): Promise<PutResult> {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    return { ok: false, errors: [{ path: '/', message: 'a policy is a JSON object' }] };
  const id = (definition as { id?: unknown }).id;
  const current = await client.query<{ version: number; definition: Policy }>(
    `SELECT version, definition FROM policies WHERE id = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE`,
    [typeof id === 'string' ? id : ''],
  );
  const previous = current.rows[0];
  const checked = validatePolicy({ ...definition, version: (previous?.version ?? 0) + 1 });
  if (!checked.ok) return { ok: false, errors: checked.errors };
  const policy = checked.policy;
  if (previous && isDeepStrictEqual({ ...previous.definition, version: policy.version }, policy))
    return { ok: true, policy: previous.definition, changed: false };
  await client.query(
    `INSERT INTO policies (id, version, definition, builtin, created_by) VALUES ($1, $2, $3, false, $4)`,
    [policy.id, policy.version, JSON.stringify(policy), by],
  );
  return { ok: true, policy, changed: true };
}
