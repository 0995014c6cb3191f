import type pg from 'pg';

/** The API's audit log (api_audit), newest first, keyset-paged on its id. Append-only: never updated. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly principal: string;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}

export async function readAudit(
  pool: pg.Pool,
  page: { limit: number; beforeId?: number; target?: string },
): Promise<AuditEntry[]> {
  const { rows } = await pool.query<{
    id: string;
    at: Date;
    principal: string;
    action: string;
    target: string;
    before: unknown;
    after: unknown;
  }>(
    `SELECT id, at, principal, action, target, before, after FROM api_audit
      WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR target = $2)
      ORDER BY id DESC LIMIT $3`,
    [page.beforeId ?? null, page.target ?? null, page.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at.toISOString(),
    principal: r.principal,
    action: r.action,
    target: r.target,
    before: r.before,
    after: r.after,
  }));
}
