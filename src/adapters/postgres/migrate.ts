import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import { projectRoot } from '../../paths.ts';

export interface MigrateOptions {
  readonly databaseUrl: string;
  /** Target schema; created when missing. Tests use a unique one each. */
  readonly schema?: string;
  readonly direction?: 'up' | 'down';
  /** Called with each applied migration's name. */
  readonly onApplied?: (name: string) => void;
}

/**
 * Applies the SQL migrations in migrations/ with node-pg-migrate, under its advisory lock so that
 * several instances starting at once apply each migration exactly once.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const applied = await runner({
    databaseUrl: options.databaseUrl,
    dir: join(projectRoot(), 'migrations'),
    direction: options.direction ?? 'up',
    migrationsTable: 'pgmigrations',
    ...(options.schema ? { schema: options.schema, createSchema: true } : {}),
    checkOrder: true,
    log: () => undefined,
  });
  const names = applied.map((migration) => migration.name);
  for (const name of names) options.onApplied?.(name);
  return names;
}
