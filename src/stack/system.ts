import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * PostgreSQL and Redis are the machine's own services: the stack checks them and creates the
 * databases it needs, and never starts or stops them.
 */
export interface SystemServices {
  /** Admin connection (database `postgres`) used to create the project's databases. */
  readonly postgresUrl: string;
  readonly redisUrl: string;
}

export function systemServices(env: NodeJS.ProcessEnv = process.env): SystemServices {
  return {
    postgresUrl: env['STEWARD_STACK_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env['STEWARD_STACK_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };
}

/** Creates each database that is missing; returns the names it created. */
export async function ensureDatabases(adminUrl: string, names: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${redactUrl(adminUrl)}: start the system service or set STEWARD_STACK_POSTGRES_URL`,
      { cause: error },
    );
  }
  try {
    const created: string[] = [];
    for (const name of names) {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) continue;
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      created.push(name);
    }
    return created;
  } finally {
    await client.end();
  }
}

export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${redactUrl(url)}: start the system service or set STEWARD_STACK_REDIS_URL`,
      {
        cause: error,
      },
    );
  } finally {
    redis.disconnect();
  }
}

/** Connection URLs in messages never carry their password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** The registry's JDBC settings, from the admin URL with the registry's own database. */
export function jdbcFor(
  adminUrl: string,
  database: string,
): { jdbcUrl: string; username: string; password: string } {
  const parsed = new URL(adminUrl);
  return {
    jdbcUrl: `jdbc:postgresql://${parsed.hostname}:${parsed.port || '5432'}/${database}`,
    username: decodeURIComponent(parsed.username || 'postgres'),
    password: decodeURIComponent(parsed.password),
  };
}
