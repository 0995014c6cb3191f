import { TransientError, isRetriable } from '../../errors.ts';

/** Runs a read; PostgreSQL being unreachable is a dependency outage (the API's 503), not a bug. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // node-postgres reports a pool checkout timeout and a dropped connection without a code.
    const dropped = error instanceof Error && /timeout exceeded|Connection terminated/i.test(error.message);
    if (isRetriable(error) || dropped) throw new TransientError('PostgreSQL is unavailable', error);
    throw error;
  }
}
