/**
 * What a scanner reads from a database, independent of the platform: the catalog of one schema and a
 * bounded sample of a table's rows. The readers (postgres.ts, mysql.ts) produce it; the pure core
 * (profile.ts, plan.ts) turns it into change events.
 */
import type { ValueType } from '../domain/change-event.ts';

export type TableKind = 'table' | 'view' | 'materialized_view';

export interface CatalogColumn {
  readonly name: string;
  /** The type as the database spells it, e.g. `character varying(255)`, `int(11) unsigned`. */
  readonly type: string;
  readonly valueType: ValueType;
  readonly nullable: boolean;
  readonly description: string | null;
  /** 1-based position. */
  readonly ordinal: number;
  readonly primaryKey: boolean;
  /** Covered by a unique constraint (or unique index) on this column alone. */
  readonly unique: boolean;
}

export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  readonly kind: TableKind;
  readonly description: string | null;
  readonly columns: readonly CatalogColumn[];
  /** Rows according to the catalog's statistics; null when the database has none. */
  readonly rowEstimate: number | null;
  /**
   * Changes whenever the table's data changes (PostgreSQL: its cumulative insert/update/delete counters;
   * MariaDB: its update time); null when the database keeps no such signal for it.
   */
  readonly modSignal: string | null;
  /** When the database says the data last changed (MariaDB's update time); null when it does not say. */
  readonly lastModifiedAt: string | null;
}

export type SampleMethod = 'tablesample' | 'key-ranges' | 'head' | 'view-skipped';

export interface SampleRows {
  readonly method: SampleMethod;
  /** One array per row, values in `table.columns` order, as text (binary columns as a digest); null for NULL. */
  readonly rows: readonly (readonly (string | null)[])[];
  /** True when the rows are the whole table (it held fewer rows than asked for). */
  readonly complete: boolean;
}

export interface SampleOptions {
  readonly rows: number;
  /** Seeds the sample so an unchanged table gives the same sample (and the same profile) every scan. */
  readonly seed: number;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** One database connection's reads; every one is read-only. */
export interface SourceReader {
  /** The database a PostgreSQL URL names (the first part of every qualified name); null on MySQL. */
  readonly database: string | null;
  /** The schemas (PostgreSQL) or databases (MySQL) holding user tables, system ones excluded. */
  schemas(): Promise<string[]>;
  /** Every table and view of one schema with its columns and statistics. */
  listSchema(schema: string): Promise<CatalogTable[]>;
  /** A bounded sample of a table's rows, in one read-only transaction with the lock and statement timeouts. */
  sample(table: CatalogTable, options: SampleOptions): Promise<SampleRows>;
  close(): Promise<void>;
}

/** Values longer than this are cut before they leave the database (the contract's sample length). */
export const MAX_VALUE_CHARS = 1024;
