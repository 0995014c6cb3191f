/**
 * The MySQL/MariaDB reader (mysql2): the catalog from information_schema, the row estimate and update time
 * the engine records, and samples by primary-key ranges — MySQL and MariaDB have no TABLESAMPLE, so a
 * table with a single integer primary key is read as a few short index range scans spread over the key
 * space at seeded positions (the same ranges every scan while the table does not change). A table without
 * one is read from its head (`LIMIT`), which is cheap but not spread; the scan report says which.
 *
 * Every sample runs in its own `START TRANSACTION READ ONLY` with the session's statement time limit
 * (MariaDB max_statement_time, MySQL max_execution_time) and lock_wait_timeout; values leave the database
 * as text cut to the contract's length (binary columns as md5 digests), dates in UTC.
 */
import mysql from 'mysql2/promise';
import {
  MAX_VALUE_CHARS,
  type CatalogColumn,
  type CatalogTable,
  type SampleOptions,
  type SampleRows,
  type SourceReader,
  type TableKind,
} from './model.ts';
import { seededRandom } from '../domain/seeded-random.ts';
import { valueTypeOf } from './profile.ts';

const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];
const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
const KINDS: Readonly<Record<string, TableKind>> = {
  'BASE TABLE': 'table',
  'SYSTEM VERSIONED': 'table',
  VIEW: 'view',
};
/** Ranges a key-range sample is spread over. */
const RANGES = 10;

interface TableRow {
  name: string;
  type: string;
  comment: string | null;
  tableRows: string | number | null;
  updateTime: string | null;
  settled: number | string | null;
}
interface ColumnRow {
  tableName: string;
  name: string;
  columnType: string;
  dataType: string;
  nullable: string;
  comment: string | null;
  ordinal: string | number;
}
interface KeyRow {
  tableName: string;
  indexName: string;
  nonUnique: string | number;
  columnName: string;
}

const ident = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

/**
 * `RANGES` disjoint key ranges [from, to) over [lo, hi], one starting at a seeded point of each equal slice;
 * each range is read with `LIMIT perRange`, so it ends where its rows run out or at the next slice.
 */
export function keyRanges(lo: bigint, hi: bigint, seed: number): { from: bigint; to: bigint }[] {
  const random = seededRandom(seed);
  const span = hi - lo + 1n;
  const ranges: { from: bigint; to: bigint }[] = [];
  for (let i = 0; i < RANGES; i++) {
    const sliceStart = lo + (span * BigInt(i)) / BigInt(RANGES);
    const sliceEnd = lo + (span * BigInt(i + 1)) / BigInt(RANGES);
    const width = sliceEnd - sliceStart;
    // Start in the first half of the slice, so the range has room before the next one.
    const offset = (width * BigInt(Math.floor(random() * 1_000_000))) / 2_000_000n;
    ranges.push({ from: sliceStart + offset, to: sliceEnd });
  }
  return ranges;
}

export function valueExpression(column: Pick<CatalogColumn, 'name' | 'valueType'>): string {
  return column.valueType === 'binary'
    ? `MD5(${ident(column.name)})`
    : `LEFT(CAST(${ident(column.name)} AS CHAR), ${MAX_VALUE_CHARS})`;
}

/** The SQL of a key-range sample (one statement, each part an index range scan on the primary key). */
export function keyRangeSql(
  table: Pick<CatalogTable, 'schema' | 'name' | 'columns'>,
  key: string,
  ranges: readonly { from: bigint; to: bigint }[],
  perRange: number,
): string {
  const values = table.columns.map(valueExpression).join(', ') || 'NULL';
  const from = `${ident(table.schema)}.${ident(table.name)}`;
  return ranges
    .map(
      (r) =>
        `(SELECT ${values} FROM ${from} WHERE ${ident(key)} >= ${r.from} AND ${ident(key)} < ${r.to} ORDER BY ${ident(key)} LIMIT ${perRange})`,
    )
    .join(' UNION ALL ');
}

export class MysqlReader implements SourceReader {
  readonly #pool: mysql.Pool;
  readonly #onlyDatabase: string | null;
  #mariadb: Promise<boolean> | undefined;

  /** The catalog queries' timeouts (the source's limits; samples get theirs with each call). */
  readonly #limits: { lockTimeoutMs: number; statementTimeoutMs: number };

  constructor(
    url: string,
    options: {
      readonly concurrency: number;
      readonly lockTimeoutMs?: number;
      readonly statementTimeoutMs?: number;
    },
  ) {
    this.#limits = {
      lockTimeoutMs: options.lockTimeoutMs ?? 2000,
      statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
    };
    const parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    this.#onlyDatabase = database || null;
    this.#pool = mysql.createPool({
      uri: parsed.toString(),
      connectionLimit: options.concurrency + 1,
      connectTimeout: 10_000,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
    });
  }

  readonly database = null;

  /** Runs `work` on one connection whose session reads UTC and gives up after the timeouts. */
  async #session<T>(
    limits: { lockTimeoutMs: number; statementTimeoutMs: number },
    work: (c: mysql.PoolConnection) => Promise<T>,
  ): Promise<T> {
    const connection = await this.#pool.getConnection();
    try {
      const mariadb = await (this.#mariadb ??= connection
        .query<mysql.RowDataPacket[]>('SELECT VERSION() AS v')
        .then(([rows]) => String(rows[0]?.['v'] ?? '').includes('MariaDB')));
      const timeLimit = mariadb
        ? `max_statement_time = ${(limits.statementTimeoutMs / 1000).toFixed(3)}`
        : `max_execution_time = ${Math.round(limits.statementTimeoutMs)}`;
      await connection.query(
        `SET SESSION time_zone = '+00:00', SESSION lock_wait_timeout = ${Math.max(1, Math.ceil(limits.lockTimeoutMs / 1000))}, SESSION ${timeLimit}`,
      );
      await connection.query('START TRANSACTION READ ONLY');
      try {
        const result = await work(connection);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      connection.release();
    }
  }

  async schemas(): Promise<string[]> {
    const [rows] = await this.#pool.query<mysql.RowDataPacket[]>(
      `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA
        WHERE SCHEMA_NAME NOT IN (?) ${this.#onlyDatabase === null ? '' : 'AND SCHEMA_NAME = ?'} ORDER BY SCHEMA_NAME`,
      [SYSTEM_SCHEMAS, ...(this.#onlyDatabase === null ? [] : [this.#onlyDatabase])],
    );
    return rows.map((r) => String(r['name']));
  }

  async listSchema(schema: string): Promise<CatalogTable[]> {
    return this.#session(this.#limits, async (c) => {
      // UPDATE_TIME has whole seconds: one from the last seconds may still move without changing, so it is
      // no signal yet (the next scan profiles the table again).
      const [tables] = await c.query<(TableRow & mysql.RowDataPacket)[]>(
        `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_COMMENT AS comment, TABLE_ROWS AS tableRows,
                UPDATE_TIME AS updateTime, UPDATE_TIME < UTC_TIMESTAMP(6) - INTERVAL 2 SECOND AS settled
           FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
        [schema],
      );
      const [columns] = await c.query<(ColumnRow & mysql.RowDataPacket)[]>(
        `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, COLUMN_TYPE AS columnType, DATA_TYPE AS dataType,
                IS_NULLABLE AS nullable, COLUMN_COMMENT AS comment, ORDINAL_POSITION AS ordinal
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        [schema],
      );
      const [keys] = await c.query<(KeyRow & mysql.RowDataPacket)[]>(
        `SELECT TABLE_NAME AS tableName, INDEX_NAME AS indexName, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName
           FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0
          ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
        [schema],
      );
      return tables.flatMap((t) => {
        const kind = KINDS[t.type];
        if (!kind) return []; // sequences, temporary tables
        return [
          toTable(
            schema,
            t,
            kind,
            columns.filter((col) => col.tableName === t.name),
            keys.filter((k) => k.tableName === t.name),
          ),
        ];
      });
    });
  }

  async sample(table: CatalogTable, options: SampleOptions): Promise<SampleRows> {
    if (table.kind === 'view') return { method: 'view-skipped', rows: [], complete: false };
    return this.#session(options, async (c) => {
      const plan = await samplePlan(c, table, options);
      const rows = await arrays(c, plan.sql);
      return {
        method: plan.method,
        rows: rows.slice(0, options.rows),
        complete: plan.method === 'head' && rows.length <= options.rows,
      };
    });
  }

  /** The sample's query and EXPLAIN's rows for it (one per range: `range` on PRIMARY). */
  async explain(table: CatalogTable, options: SampleOptions): Promise<{ sql: string; plan: string[] }> {
    return this.#session(options, async (c) => {
      const { sql } = await samplePlan(c, table, options);
      const [rows] = await c.query<mysql.RowDataPacket[]>(`EXPLAIN ${sql}`);
      return {
        sql,
        plan: rows.map((r) =>
          ['id', 'select_type', 'table', 'type', 'key', 'rows', 'Extra']
            .map((k) => `${k}=${String(r[k] ?? '')}`)
            .join(' '),
        ),
      };
    });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/**
 * Key ranges when the table has a single integer primary key and more than twice the rows asked for
 * (by its estimate), else its head.
 */
async function samplePlan(
  c: mysql.PoolConnection,
  table: CatalogTable,
  options: SampleOptions,
): Promise<{ sql: string; method: 'key-ranges' | 'head' }> {
  const key = integerKey(table);
  const from = `${ident(table.schema)}.${ident(table.name)}`;
  if (key && (table.rowEstimate ?? 0) > options.rows * 2) {
    const [bounds] = await c.query<mysql.RowDataPacket[]>(
      `SELECT CAST(MIN(${ident(key)}) AS CHAR) AS lo, CAST(MAX(${ident(key)}) AS CHAR) AS hi FROM ${from}`,
    );
    const lo: unknown = bounds[0]?.['lo'];
    const hi: unknown = bounds[0]?.['hi'];
    if (typeof lo === 'string' && typeof hi === 'string') {
      const ranges = keyRanges(BigInt(lo), BigInt(hi), options.seed);
      return { sql: keyRangeSql(table, key, ranges, Math.ceil(options.rows / RANGES)), method: 'key-ranges' };
    }
  }
  const values = table.columns.map(valueExpression).join(', ') || 'NULL';
  return { sql: `SELECT ${values} FROM ${from} LIMIT ${options.rows + 1}`, method: 'head' };
}

/** Rows as arrays of text (every value expression casts to text or a digest). */
async function arrays(c: mysql.PoolConnection, sql: string): Promise<(string | null)[][]> {
  const [rows] = await c.query<mysql.RowDataPacket[][]>({ sql, rowsAsArray: true });
  const text = (v: unknown): string | null =>
    v === null || v === undefined
      ? null
      : typeof v === 'string'
        ? v
        : Buffer.isBuffer(v)
          ? v.toString('utf8')
          : JSON.stringify(v);
  return rows.map((row) => row.map(text));
}

/** The name of the table's primary key when it is one integer column. */
function integerKey(table: CatalogTable): string | null {
  const keys = table.columns.filter((c) => c.primaryKey);
  const [only] = keys;
  return keys.length === 1 && only && only.valueType === 'integer' && !/^(bit|year)/i.test(only.type)
    ? only.name
    : null;
}

function toTable(
  schema: string,
  t: TableRow,
  kind: TableKind,
  columns: readonly ColumnRow[],
  keys: readonly KeyRow[],
): CatalogTable {
  const byIndex = new Map<string, string[]>();
  for (const k of keys) byIndex.set(k.indexName, [...(byIndex.get(k.indexName) ?? []), k.columnName]);
  const primary = new Set(byIndex.get('PRIMARY') ?? []);
  const unique = new Set([...byIndex.values()].filter((cols) => cols.length === 1).flat());
  const updated = t.updateTime ? `${t.updateTime.replace(' ', 'T')}Z` : null;
  return {
    schema,
    name: t.name,
    kind,
    description: t.comment && kind !== 'view' ? t.comment : null,
    columns: columns.map((c): CatalogColumn => ({
      name: c.name,
      type: c.columnType,
      valueType: INTEGER_TYPES.has(c.dataType.toLowerCase()) ? 'integer' : valueTypeOf(c.dataType),
      nullable: c.nullable === 'YES',
      description: c.comment || null,
      ordinal: Number(c.ordinal),
      primaryKey: primary.has(c.name),
      unique: unique.has(c.name),
    })),
    rowEstimate: kind === 'view' || t.tableRows === null ? null : Number(t.tableRows),
    modSignal: updated && Number(t.settled) === 1 ? updated : null,
    lastModifiedAt: updated,
  };
}
