/**
 * The PostgreSQL reader: the catalog from pg_catalog (one query per schema, no lock on any user table),
 * statistics from pg_class and pg_stat_user_tables, and samples with TABLESAMPLE SYSTEM (whole blocks
 * chosen at random, so a sample of a billion-row table reads a few hundred blocks, not the table).
 *
 * Every session is read-only (default_transaction_read_only), every sample runs in its own read-only
 * transaction with SET LOCAL lock_timeout and statement_timeout, and values leave the database as text
 * cut to the contract's length (binary columns as md5 digests).
 */
import pg from 'pg';
import {
  MAX_VALUE_CHARS,
  type CatalogColumn,
  type CatalogTable,
  type SampleOptions,
  type SampleRows,
  type SourceReader,
  type TableKind,
} from './model.ts';
import { valueTypeOf } from './profile.ts';

const KINDS: Readonly<Record<string, TableKind>> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized_view',
};

interface TableRow {
  oid: number;
  name: string;
  kind: string;
  description: string | null;
  columns: { name: string; type: string; notnull: boolean; ordinal: number; description: string | null }[];
  mods: string | null;
  files: string | null;
  live: string | null;
  tuples: string | null;
  analysed: boolean | null;
}

interface KeyRow {
  table: number;
  primary: boolean;
  columns: number[];
}

const ident = (name: string): string => pg.escapeIdentifier(name);

/** The SQL of a sample: TABLESAMPLE SYSTEM when the table is larger than twice the rows asked for. */
export function sampleSql(
  table: Pick<CatalogTable, 'schema' | 'name' | 'columns'>,
  plan: { readonly percent: number | null; readonly seed: number; readonly limit: number },
): string {
  const values = table.columns.map((c) =>
    c.valueType === 'binary'
      ? `md5(${ident(c.name)}::text)`
      : `left(${ident(c.name)}::text, ${MAX_VALUE_CHARS})`,
  );
  const from = `${ident(table.schema)}.${ident(table.name)}`;
  const sample =
    plan.percent === null
      ? ''
      : ` TABLESAMPLE SYSTEM (${plan.percent.toPrecision(6)}) REPEATABLE (${plan.seed})`;
  return `SELECT ${values.join(', ') || 'NULL'} FROM ${from}${sample} LIMIT ${plan.limit}`;
}

/** Percent of blocks to read for about 1.5 × `rows` rows, or null to read the head of a small table. */
export function samplePercent(estimatedRows: number, rows: number): number | null {
  if (estimatedRows <= rows * 2) return null;
  return Math.min(100, Math.max(0.0001, (150 * rows) / estimatedRows));
}

export class PostgresReader implements SourceReader {
  readonly #pool: pg.Pool;
  #database: string | null = null;

  constructor(
    url: string,
    options: {
      readonly concurrency: number;
      readonly statementTimeoutMs: number;
      readonly lockTimeoutMs: number;
    },
  ) {
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.concurrency + 1,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 5_000,
      application_name: 'steward-scanner',
      // Read-only sessions: the scanner cannot write even by mistake. Catalog queries get both timeouts.
      options: `-c default_transaction_read_only=on -c statement_timeout=${options.statementTimeoutMs} -c lock_timeout=${options.lockTimeoutMs} -c TimeZone=UTC -c DateStyle=ISO,YMD`,
    });
    this.#pool.on('error', () => undefined); // an idle client's error surfaces on the next query
  }

  get database(): string | null {
    return this.#database;
  }

  async schemas(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ name: string; database: string }>(
      `SELECT nspname AS name, current_database() AS database FROM pg_namespace
        WHERE nspname NOT IN ('pg_catalog', 'information_schema')
          AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'
        ORDER BY nspname`,
    );
    const { rows: db } = await this.#pool.query<{ database: string }>(
      'SELECT current_database() AS database',
    );
    this.#database = db[0]?.database ?? null;
    return rows.map((r) => r.name);
  }

  async listSchema(schema: string): Promise<CatalogTable[]> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows: tables } = await client.query<TableRow>(
        `SELECT c.oid::int AS oid, c.relname AS name, c.relkind AS kind,
                obj_description(c.oid, 'pg_class') AS description,
                COALESCE((SELECT json_agg(json_build_object(
                    'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull,
                    'ordinal', a.attnum, 'description', col_description(c.oid, a.attnum)) ORDER BY a.attnum)
                  FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns,
                s.mods::text, s.files::text, s.live::text, s.tuples::text, s.analysed
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN LATERAL (
             SELECT sum(st.n_tup_ins + st.n_tup_upd + st.n_tup_del) AS mods, sum(pc.relfilenode::bigint) AS files,
                    sum(st.n_live_tup) AS live, sum(greatest(pc.reltuples, 0)) AS tuples,
                    bool_and(pc.reltuples >= 0) AS analysed
               FROM (SELECT c.oid AS relid WHERE c.relkind <> 'p'
                     UNION ALL SELECT relid FROM pg_partition_tree(c.oid) WHERE c.relkind = 'p' AND isleaf) t
               JOIN pg_class pc ON pc.oid = t.relid
               LEFT JOIN pg_stat_user_tables st ON st.relid = t.relid
              WHERE c.relkind IN ('r', 'p', 'm')
           ) s ON true
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
          ORDER BY c.relname`,
        [schema],
      );
      const { rows: keys } = await client.query<KeyRow>(
        `SELECT i.indrelid::int AS table, i.indisprimary AS primary, i.indkey::int2[] AS columns
           FROM pg_index i
           JOIN pg_class c ON c.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND (i.indisprimary OR i.indisunique) AND i.indpred IS NULL AND i.indexprs IS NULL`,
        [schema],
      );
      await client.query('COMMIT');
      return tables.map((t) =>
        toTable(
          schema,
          t,
          keys.filter((k) => k.table === t.oid),
        ),
      );
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async sample(table: CatalogTable, options: SampleOptions): Promise<SampleRows> {
    if (table.kind === 'view') return { method: 'view-skipped', rows: [], complete: false };
    return this.#readOnly(options, async (client) => {
      const plan = await samplePlan(client, table, options);
      const result = await client.query<(string | null)[]>({ text: plan.sql, rowMode: 'array' });
      return {
        method: plan.percent === null ? 'head' : 'tablesample',
        rows: result.rows.slice(0, options.rows),
        complete: plan.percent === null && result.rows.length <= options.rows,
      };
    });
  }

  /** The sample's query and its plan as PostgreSQL runs it (EXPLAIN ANALYZE, in the same read-only transaction). */
  async explain(table: CatalogTable, options: SampleOptions): Promise<{ sql: string; plan: string[] }> {
    return this.#readOnly(options, async (client) => {
      const { sql } = await samplePlan(client, table, options);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`,
      );
      return { sql, plan: rows.map((r) => r['QUERY PLAN']) };
    });
  }

  /** One read-only transaction with the lock and statement timeouts. */
  async #readOnly<T>(options: SampleOptions, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET LOCAL lock_timeout = ${Math.round(options.lockTimeoutMs)}`);
      await client.query(`SET LOCAL statement_timeout = ${Math.round(options.statementTimeoutMs)}`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/**
 * How to sample the table: its size in rows estimated from its pages (and rows per page where it was
 * analysed, else 50), never below the statistics' live-row count, then TABLESAMPLE SYSTEM for a table more
 * than twice the rows asked for, else its head.
 */
async function samplePlan(
  client: pg.PoolClient,
  table: CatalogTable,
  options: SampleOptions,
): Promise<{ sql: string; percent: number | null }> {
  const { rows: size } = await client.query<{ rows: number }>(
    `SELECT greatest(sum(CASE WHEN pc.reltuples > 0 AND pc.relpages > 0 THEN pc.reltuples / pc.relpages ELSE 50 END
              * pg_relation_size(pc.oid) / current_setting('block_size')::int), $2::float8)::float8 AS rows
       FROM (SELECT c.oid AS relid FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relkind <> 'p'
             UNION ALL SELECT relid FROM pg_partition_tree(to_regclass($1)) WHERE isleaf) t
       JOIN pg_class pc ON pc.oid = t.relid`,
    [`${ident(table.schema)}.${ident(table.name)}`, table.rowEstimate ?? 0],
  );
  const percent = samplePercent(size[0]?.rows ?? 0, options.rows);
  const limit = percent === null ? options.rows + 1 : options.rows;
  return { sql: sampleSql(table, { percent, seed: options.seed, limit }), percent };
}

function toTable(schema: string, row: TableRow, keys: readonly KeyRow[]): CatalogTable {
  const primary = new Set(keys.filter((k) => k.primary).flatMap((k) => k.columns));
  const unique = new Set(keys.filter((k) => k.columns.length === 1).map((k) => k.columns[0]));
  const columns = row.columns.map((c): CatalogColumn => ({
    name: c.name,
    type: c.type,
    valueType: valueTypeOf(c.type),
    nullable: !c.notnull,
    description: c.description,
    ordinal: c.ordinal,
    primaryKey: primary.has(c.ordinal),
    unique: unique.has(c.ordinal),
  }));
  const kind = KINDS[row.kind] ?? 'table';
  const live = row.live === null ? null : Number(row.live);
  const tuples = row.analysed ? Number(row.tuples) : null;
  return {
    schema,
    name: row.name,
    kind,
    description: row.description,
    columns,
    rowEstimate: kind === 'view' ? null : live !== null && live > 0 ? live : tuples,
    modSignal: row.mods === null ? null : `${row.mods}@${row.files ?? ''}`,
    lastModifiedAt: null,
  };
}
