/**
 * The demo's real databases: the shop and the clinic in PostgreSQL, HR in MariaDB/MySQL, created from the
 * demo catalog (src/demo/catalog.ts) with generated rows (seeded faker: no real person), then read by the
 * scanners like any source. The story's changes to them are real DDL and DML followed by a rescan.
 *
 * Safety: a demo database is created when missing and rebuilt only when every table in it is one of the
 * demo's own; a database of that name holding anything else is refused, never dropped.
 */
import { Faker, base, en } from '@faker-js/faker';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DEMO_TABLES, type DemoColumn, type DemoTable } from './catalog.ts';
import { LAB_RESULTS } from './events.ts';
import { parseSources, type SourceDeclaration } from '../scanner/sources.ts';

export type Engine = 'postgres' | 'mariadb';

export interface DemoDatabase {
  /** The scan source's name. */
  readonly source: string;
  readonly engine: Engine;
  /** The database created on the server. */
  readonly database: string;
  /** The catalog's platform and instance (the URNs'). */
  readonly platform: 'postgres' | 'mysql';
  readonly instance: string;
  readonly tables: readonly DemoTable[];
}

const databaseOf = (instance: string): DemoDatabase => {
  const tables = DEMO_TABLES.filter((t) => t.instance === instance);
  const first = tables[0];
  if (!first) throw new Error(`no demo tables for ${instance}`);
  const platform = first.platform === 'mysql' ? 'mysql' : 'postgres';
  return {
    source: `demo-${first.path[0] ?? instance}`,
    engine: platform === 'mysql' ? 'mariadb' : 'postgres',
    database: `demo_${first.path[0] ?? instance}`,
    platform,
    instance,
    tables,
  };
};

export const DEMO_DATABASES: readonly DemoDatabase[] = ['shop-prod', 'hr-db', 'clinic-db'].map(databaseOf);

/** `<schema>.<table>` on the server: PostgreSQL keeps the catalog's schema, MySQL's database is the demo's. */
export function locationOf(db: DemoDatabase, table: DemoTable): { schema: string; name: string } {
  const name = table.path[table.path.length - 1] ?? '';
  return { schema: db.engine === 'postgres' ? (table.path[1] ?? 'public') : db.database, name };
}

/** The scan source of a demo database; its connection URL is read from `DEMO_<NAME>_URL`. */
export function demoSource(db: DemoDatabase): SourceDeclaration {
  const schemas = [...new Set(db.tables.map((t) => locationOf(db, t).schema))];
  const [source] = parseSources({
    sources: [
      {
        name: db.source,
        platform: db.platform,
        instance: db.instance,
        connection: { env: urlVariable(db) },
        include: schemas.map((s) => `${s}.*`),
        expectedUpdateInterval: '24h',
        annotate: [...db.tables, ...(db.instance === LAB_RESULTS.instance ? [LAB_RESULTS] : [])].map((t) => {
          const { schema, name } = locationOf(db, t);
          return { tables: [`${schema}.${name}`], owners: [...t.owners], tags: [...t.tags] };
        }),
      },
    ],
  });
  if (!source) throw new Error('no source');
  return source;
}

export const urlVariable = (db: DemoDatabase): string =>
  `DEMO_${db.source.replace(/^demo-/, '').toUpperCase()}_URL`;

/** MariaDB spellings of the catalog's (PostgreSQL-flavoured) types. */
export function mysqlType(type: string): string {
  const t = type.toLowerCase();
  if (t === 'timestamp with time zone' || t === 'timestamptz') return 'DATETIME(6)';
  if (t.startsWith('numeric')) return t.replace('numeric', 'DECIMAL');
  if (t === 'uuid') return 'CHAR(36)';
  if (t === 'jsonb') return 'JSON';
  if (t === 'bytea') return 'BLOB';
  return type;
}

const quote = (engine: Engine, name: string): string =>
  engine === 'postgres' ? pg.escapeIdentifier(name) : `\`${name.replaceAll('`', '``')}\``;

const literal = (engine: Engine, text: string): string =>
  engine === 'postgres' ? pg.escapeLiteral(text) : mysql.escape(text);

/** CREATE TABLE (and comments) for a demo table. */
export function createTableSql(db: DemoDatabase, table: DemoTable): string[] {
  const { engine } = db;
  const { schema, name } = locationOf(db, table);
  const q = (n: string) => quote(engine, n);
  const columns = table.columns.map((c) =>
    [
      q(c.name),
      engine === 'postgres' ? c.type : mysqlType(c.type),
      c.primaryKey ? 'PRIMARY KEY' : (c.nullable ?? true) ? '' : 'NOT NULL',
      c.unique && !c.primaryKey ? 'UNIQUE' : '',
      engine === 'mariadb' && c.description ? `COMMENT ${literal(engine, c.description)}` : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
  const target = `${q(schema)}.${q(name)}`;
  if (engine === 'mariadb')
    return [
      `CREATE TABLE ${target} (${columns.join(', ')})${table.description ? ` COMMENT ${literal(engine, table.description)}` : ''}`,
    ];
  return [
    `CREATE SCHEMA IF NOT EXISTS ${q(schema)}`,
    `CREATE TABLE ${target} (${columns.join(', ')})`,
    ...(table.description ? [`COMMENT ON TABLE ${target} IS ${literal(engine, table.description)}`] : []),
    ...table.columns.flatMap((c) =>
      c.description ? [`COMMENT ON COLUMN ${target}.${q(c.name)} IS ${literal(engine, c.description)}`] : [],
    ),
  ];
}

/** A column's generated value as the server takes it (MariaDB's DATETIME has no zone). */
function valueFor(engine: Engine, column: DemoColumn, faker: Faker, row: number): string | null {
  if (faker.number.float() < (column.nulls ?? 0) && !column.primaryKey) return null;
  const value = column.value(faker, row);
  if (engine === 'mariadb' && column.valueType === 'timestamp')
    return value.replace('T', ' ').replace(/Z$/, '');
  return value;
}

/** Rows `from` (0-based) up to `to` of the table, generated from the seed: the same rows every run. */
export function rowsOf(
  engine: Engine,
  table: DemoTable,
  seed: number,
  from: number,
  to: number,
): (string | null)[][] {
  const faker = new Faker({ locale: [en, base], seed: seed * 7919 + from });
  const rows: (string | null)[][] = [];
  for (let row = from; row < to; row++) rows.push(table.columns.map((c) => valueFor(engine, c, faker, row)));
  return rows;
}

/** Runs statements against one demo database (as its admin). */
export interface DemoConnection {
  exec(sql: string): Promise<void>;
  insert(table: DemoTable, rows: readonly (readonly (string | null)[])[]): Promise<void>;
  close(): Promise<void>;
}

const BATCH = 200;

/** (Re)creates the demo database on the server at `adminUrl` and connects to it; returns its URL too. */
export async function openDemoDatabase(
  db: DemoDatabase,
  adminUrl: string,
): Promise<{ connection: DemoConnection; url: string }> {
  const known = new Set(
    [...db.tables, LAB_RESULTS].map((t) => {
      const { schema, name } = locationOf(db, t);
      return `${schema}.${name}`;
    }),
  );
  const refuse = (foreign: readonly string[]) =>
    new Error(
      `database ${db.database} exists and holds tables that are not the demo's (${foreign.slice(0, 3).join(', ')}): not touching it`,
    );
  if (db.engine === 'postgres') {
    const url = new URL(adminUrl);
    url.pathname = `/${db.database}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.database]);
      if (rowCount) {
        const inside = new pg.Client({ connectionString: url.toString() });
        await inside.connect();
        const { rows } = await inside.query<{ name: string }>(
          `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
        );
        await inside.end();
        const foreign = rows.map((r) => r.name).filter((n) => !known.has(n));
        if (foreign.length) throw refuse(foreign);
        await admin.query(`DROP DATABASE ${pg.escapeIdentifier(db.database)} WITH (FORCE)`);
      }
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(db.database)}`);
    } finally {
      await admin.end();
    }
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return {
      url: url.toString(),
      connection: {
        exec: async (sql) => {
          await client.query(`${sql}; SELECT pg_stat_force_next_flush()`);
        },
        insert: async (table, rows) => {
          const { schema, name } = locationOf(db, table);
          const columns = table.columns.map((c) => pg.escapeIdentifier(c.name)).join(', ');
          for (let i = 0; i < rows.length; i += BATCH) {
            const batch = rows.slice(i, i + BATCH);
            const width = table.columns.length;
            const values = batch
              .map((_, r) => `(${table.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`)
              .join(', ');
            await client.query(
              `INSERT INTO ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)} (${columns}) VALUES ${values}`,
              batch.flat(),
            );
          }
          await client.query('SELECT pg_stat_force_next_flush()');
        },
        close: () => client.end(),
      },
    };
  }
  const admin = await mysql.createConnection({ uri: adminUrl });
  const url = new URL(adminUrl);
  url.pathname = `/${db.database}`;
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [db.database],
    );
    const foreign = rows.map((r) => `${db.database}.${String(r['name'])}`).filter((n) => !known.has(n));
    if (foreign.length) throw refuse(foreign);
    await admin.query(`DROP DATABASE IF EXISTS \`${db.database}\``);
    await admin.query(`CREATE DATABASE \`${db.database}\``);
  } catch (error) {
    await admin.end();
    throw error;
  }
  await admin.query(`USE \`${db.database}\``);
  return {
    url: url.toString(),
    connection: {
      exec: async (sql) => {
        await admin.query(sql);
      },
      insert: async (table, rows) => {
        const { name } = locationOf(db, table);
        const columns = table.columns.map((c) => `\`${c.name}\``).join(', ');
        for (let i = 0; i < rows.length; i += BATCH)
          await admin.query(`INSERT INTO \`${name}\` (${columns}) VALUES ?`, [rows.slice(i, i + BATCH)]);
      },
      close: () => admin.end(),
    },
  };
}
