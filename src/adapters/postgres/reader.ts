import type pg from 'pg';
import type { Reader } from '../../domain/processor.ts';

/** The runtime's read-only `Reader` over a pool: one statement, bound parameters, rows out. */
export function poolReader(pool: pg.Pool): Reader {
  return {
    async rows<R extends object>(sql: string, params: readonly unknown[]): Promise<R[]> {
      const result = await pool.query<R>(sql, [...params]);
      return result.rows;
    },
  };
}
