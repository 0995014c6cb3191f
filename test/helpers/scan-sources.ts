import type { TestContext } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { endpoints, uniqueName } from './services.ts';

/** MariaDB/MySQL for scanner tests: STEWARD_TEST_MYSQL_URL, else the machine's local server as root. */
export const mysqlAdminUrl = (): string =>
  process.env['STEWARD_TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/';

export interface ScannedDatabase {
  /** The schema (PostgreSQL) or database (MariaDB) the test fills; scans include only it. */
  readonly schema: string;
  /** A URL for a read-only user that may only read `schema`: what a scanner is given. */
  readonly url: string;
  /** Runs statements as the admin (the test's own writes). */
  exec(sql: string): Promise<void>;
}

/** A fresh schema in the test database and a login role that can only read it; both dropped after. */
export async function postgresSourceFor(t: TestContext): Promise<ScannedDatabase> {
  const admin = new pg.Client({ connectionString: endpoints().databaseUrl });
  await admin.connect();
  const schema = uniqueName('scanned');
  const role = uniqueName('scan_ro');
  await admin.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  await admin.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN`);
  await admin.query(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(schema)} TO ${pg.escapeIdentifier(role)}`);
  await admin.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${pg.escapeIdentifier(schema)} GRANT SELECT ON TABLES TO ${pg.escapeIdentifier(role)}`,
  );
  t.after(async () => {
    await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.query(`DROP OWNED BY ${pg.escapeIdentifier(role)}`);
    await admin.query(`DROP ROLE ${pg.escapeIdentifier(role)}`);
    await admin.end();
  });
  const url = new URL(endpoints().databaseUrl);
  url.username = role;
  url.password = '';
  return {
    schema,
    url: url.toString(),
    // Statistics are flushed lazily (up to seconds later); force it, so the next scan sees these writes.
    exec: async (sql) => {
      await admin.query(
        `SET search_path TO ${pg.escapeIdentifier(schema)}; ${sql}; SELECT pg_stat_force_next_flush()`,
      );
    },
  };
}

/** A fresh database on the MariaDB server and a user that may only read it; both dropped after. */
export async function mariadbSourceFor(t: TestContext): Promise<ScannedDatabase> {
  const admin = await mysql.createConnection({ uri: mysqlAdminUrl(), multipleStatements: true });
  const database = uniqueName('scanned');
  const user = uniqueName('ro').slice(0, 32);
  await admin.query(`CREATE DATABASE \`${database}\``);
  await admin.query(`CREATE USER '${user}'@'%'`);
  await admin.query(`GRANT SELECT, SHOW VIEW ON \`${database}\`.* TO '${user}'@'%'`);
  t.after(async () => {
    await admin.query(`DROP DATABASE \`${database}\``);
    await admin.query(`DROP USER '${user}'@'%'`);
    await admin.end();
  });
  const url = new URL(mysqlAdminUrl());
  url.username = user;
  url.password = '';
  url.pathname = '/';
  return {
    schema: database,
    url: url.toString(),
    exec: async (sql) => {
      await admin.query(`USE \`${database}\`; ${sql}`);
    },
  };
}
