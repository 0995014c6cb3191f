import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { formatApiKey, isRole, parseApiKey, type Principal, type Role } from '../../domain/principal.ts';
import { inTransaction } from './pool.ts';

/**
 * API keys in PostgreSQL. A key is shown once, at creation; the table keeps its id, role and the SHA-256
 * of its 256-bit random secret (a fast hash is enough for a secret with that much entropy, as for GitHub
 * tokens). Creating and revoking are audited in `api_audit`, like every other mutation of the API.
 */

export interface ApiKeyRow {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

const sha256 = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export async function createApiKey(
  pool: pg.Pool,
  options: { role: Role; name: string; by: string },
): Promise<{ id: string; key: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await inTransaction(pool, async (client) => {
    await client.query(
      'INSERT INTO api_keys (id, name, role, secret_sha256, created_by) VALUES ($1, $2, $3, $4, $5)',
      [id, options.name, options.role, sha256(secret), options.by],
    );
    await client.query(
      `INSERT INTO api_audit (principal, action, target, after) VALUES ($1, 'apikey.create', $2, $3)`,
      [options.by, `apikey:${id}`, { name: options.name, role: options.role }],
    );
  });
  return { id, key: formatApiKey(id, secret) };
}

export async function listApiKeys(pool: pg.Pool): Promise<ApiKeyRow[]> {
  const { rows } = await pool.query<{
    id: string;
    name: string;
    role: string;
    created_by: string;
    created_at: Date;
    revoked_at: Date | null;
  }>('SELECT id, name, role, created_by, created_at, revoked_at FROM api_keys ORDER BY created_at, id');
  return rows.flatMap((r) =>
    isRole(r.role)
      ? [
          {
            id: r.id,
            name: r.name,
            role: r.role,
            createdBy: r.created_by,
            createdAt: r.created_at.toISOString(),
            revokedAt: r.revoked_at?.toISOString() ?? null,
          },
        ]
      : [],
  );
}

/** Revokes a key; false when there is no such key or it was revoked already. */
export async function revokeApiKey(pool: pg.Pool, id: string, by: string): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ name: string; role: string }>(
      'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING name, role',
      [id],
    );
    const row = rows[0];
    if (!row) return false;
    await client.query(
      `INSERT INTO api_audit (principal, action, target, before, after)
       VALUES ($1, 'apikey.revoke', $2, $3, $4)`,
      [by, `apikey:${id}`, { name: row.name, role: row.role }, { revoked: true }],
    );
    return true;
  });
}

/** The principal a presented key stands for; undefined for a malformed, unknown or revoked key. */
export async function verifyApiKey(pool: pg.Pool, token: string): Promise<Principal | undefined> {
  const parsed = parseApiKey(token);
  if (!parsed) return undefined;
  const { rows } = await pool.query<{ role: string; secret_sha256: Buffer }>(
    'SELECT role, secret_sha256 FROM api_keys WHERE id = $1 AND revoked_at IS NULL',
    [parsed.id],
  );
  const row = rows[0];
  if (!row || !isRole(row.role) || !timingSafeEqual(row.secret_sha256, sha256(parsed.secret)))
    return undefined;
  return { id: `apikey:${parsed.id}`, role: row.role, via: 'apikey' };
}
