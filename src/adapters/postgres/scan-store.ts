import type pg from 'pg';
import type { TableState } from '../../scanner/plan.ts';
import type { ScanReport } from '../../scanner/scan.ts';

/** The scanners' tables (migrations/…_scanner.sql): what each source's scans recorded, and their reports. */
export interface ScanStore {
  /** Every table the source's scans recorded, deleted ones included. */
  load(source: string): Promise<TableState[]>;
  /** Records the tables' states as of a scan that listed them (or deleted them) at `seenAt`. */
  save(source: string, states: readonly TableState[], seenAt: Date): Promise<void>;
  recordRun(report: ScanReport): Promise<void>;
}

interface Row {
  urn: string;
  schema_name: string;
  table_name: string;
  asset_fingerprint: string | null;
  profile_fingerprint: string | null;
  mod_signal: string | null;
  last_modified_at: string | null;
  deleted: boolean;
}

const PAGE = 1000;

export class PgScanStore implements ScanStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async load(source: string): Promise<TableState[]> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT urn, schema_name, table_name, asset_fingerprint, profile_fingerprint, mod_signal, last_modified_at, deleted
         FROM scan_tables WHERE source = $1`,
      [source],
    );
    return rows.map((r) => ({
      urn: r.urn,
      schema: r.schema_name,
      table: r.table_name,
      assetFingerprint: r.asset_fingerprint,
      profileFingerprint: r.profile_fingerprint,
      modSignal: r.mod_signal,
      lastModifiedAt: r.last_modified_at,
      deleted: r.deleted,
    }));
  }

  async save(source: string, states: readonly TableState[], seenAt: Date): Promise<void> {
    for (let i = 0; i < states.length; i += PAGE) {
      const page = states.slice(i, i + PAGE);
      const column = <K extends keyof TableState>(key: K) => page.map((s) => s[key]);
      await this.#pool.query(
        `INSERT INTO scan_tables AS t (source, urn, schema_name, table_name, asset_fingerprint, profile_fingerprint,
                                       mod_signal, last_modified_at, deleted, last_seen_at)
         SELECT $1, * , $10 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::text[], $9::boolean[])
         ON CONFLICT (source, urn) DO UPDATE SET
           schema_name = EXCLUDED.schema_name, table_name = EXCLUDED.table_name,
           asset_fingerprint = EXCLUDED.asset_fingerprint, profile_fingerprint = EXCLUDED.profile_fingerprint,
           mod_signal = EXCLUDED.mod_signal, last_modified_at = EXCLUDED.last_modified_at,
           deleted = EXCLUDED.deleted,
           last_seen_at = CASE WHEN EXCLUDED.deleted THEN t.last_seen_at ELSE EXCLUDED.last_seen_at END,
           updated_at = now()`,
        [
          source,
          column('urn'),
          column('schema'),
          column('table'),
          column('assetFingerprint'),
          column('profileFingerprint'),
          column('modSignal'),
          column('lastModifiedAt'),
          column('deleted'),
          seenAt,
        ],
      );
    }
  }

  async recordRun(report: ScanReport): Promise<void> {
    await this.#pool.query(
      `INSERT INTO scan_runs (source, run_key, started_at, finished_at, status, report) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        report.source,
        report.runKey,
        report.startedAt,
        report.finishedAt,
        report.status,
        JSON.stringify(report),
      ],
    );
    await this.#pool.query(
      `DELETE FROM scan_runs WHERE source = $1 AND started_at < now() - interval '90 days'`,
      [report.source],
    );
  }
}

/** The latest scan of each source, for `steward scan --list` and the API. */
export async function latestScans(pool: pg.Pool): Promise<ScanReport[]> {
  const { rows } = await pool.query<{ report: ScanReport }>(
    `SELECT DISTINCT ON (source) report FROM scan_runs ORDER BY source, started_at DESC`,
  );
  return rows.map((r) => r.report);
}
