-- Up Migration
-- The scanners' memory between scans (src/scanner): per source and table, the fingerprints of what was
-- last published and the database's modification signal, so an unchanged table is neither profiled nor
-- published again, and a table no longer listed can be deleted. No values: fingerprints and signals only.
-- `last_seen_at` is when a scan last listed the table: metadata-resync counts it as the source reporting
-- the asset, since an unchanged table publishes nothing.
CREATE TABLE scan_tables (
  source text NOT NULL,
  urn text NOT NULL,
  schema_name text NOT NULL,
  table_name text NOT NULL,
  asset_fingerprint text,
  profile_fingerprint text,
  mod_signal text,
  -- As published (ISO-8601 text), so the next scan compares exactly what it sent.
  last_modified_at text,
  deleted boolean NOT NULL DEFAULT false,
  last_seen_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, urn)
);
CREATE INDEX scan_tables_urn ON scan_tables (urn) WHERE NOT deleted;

-- One row per scan: what it did (counts, failures with reasons, deletes withheld). Kept 90 days.
CREATE TABLE scan_runs (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  run_key text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('succeeded', 'partial', 'failed')),
  report jsonb NOT NULL
);
CREATE INDEX scan_runs_source ON scan_runs (source, started_at DESC);

-- Down Migration
DROP TABLE scan_runs;
DROP TABLE scan_tables;
