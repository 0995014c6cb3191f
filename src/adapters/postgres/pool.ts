import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Config } from '../../config.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A pool with TLS per config. An idle connection that breaks (the server restarted, the network cut)
 * emits 'error' on the pool; unhandled, that would crash the process, so it is reported to `onError`
 * and the next query reconnects (the runtime retries it as a transient failure).
 */
export function createPool(
  config: Config['postgres'],
  max = config.poolMax,
  onError: (error: Error) => void = () => undefined,
): pg.Pool {
  const ssl =
    config.ssl === 'disable'
      ? undefined
      : {
          rejectUnauthorized: config.ssl === 'verify-full',
          ...(config.caFile && { ca: readFileSync(config.caFile, 'utf8') }),
        };
  const pool = new pg.Pool({
    connectionString: config.url,
    max,
    connectionTimeoutMillis: 5000,
    ...(ssl && { ssl }),
  });
  pool.on('error', onError);
  return pool;
}

/** Runs fn in a transaction; rolls back on any error and rethrows it. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client whose connection breaks between two queries emits 'error' (unhandled, it would
  // crash the process); the next query fails with the same error, which is what the caller acts on.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let failed = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignore);
    // After a failure the connection may be broken: discard it rather than hand it to the next caller.
    client.release(failed);
  }
}
