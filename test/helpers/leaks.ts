import pg from 'pg';

/**
 * Where a sample value must never be: every text rendering of every row of every table in `schema`
 * except the ones named in `allowed` (the DLQ's kept originals are raw input by design). Returns
 * `table: sample` for each leak found.
 */
export async function samplesInPostgres(
  pool: pg.Pool,
  schema: string,
  samples: readonly string[],
  allowed: readonly string[] = ['steward_dlq_payloads'],
): Promise<string[]> {
  const { rows: tables } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [schema],
  );
  const leaks: string[] = [];
  for (const { table_name: table } of tables) {
    if (allowed.includes(table)) continue;
    const { rows } = await pool.query<{ row: string }>(
      `SELECT t::text AS row FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} t`,
    );
    for (const sample of samples)
      if (rows.some((r) => r.row.includes(sample))) leaks.push(`${table}: ${sample}`);
  }
  return leaks;
}
