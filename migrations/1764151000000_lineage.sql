-- Up Migration
-- The lineage graph, written by the lineage processor from OpenLineage RunEvents (processors/lineage).
-- An edge belongs to the job that produced it; the edges of a job's latest successful run are the active
-- ones (older ones stay, inactive, with when they were removed). Queries walk active edges.

CREATE TABLE lineage_runs (
  run_id text PRIMARY KEY,
  job text NOT NULL,
  status text NOT NULL,
  event_time timestamptz NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  producer text,
  inputs integer NOT NULL,
  outputs integer NOT NULL,
  -- Datasets of the run with no Steward URN: [{namespace, name, reason}].
  unmapped jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX lineage_runs_job ON lineage_runs (job, event_time DESC);

CREATE TABLE lineage_edges (
  job text NOT NULL,
  upstream text NOT NULL,
  downstream text NOT NULL,
  active boolean NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  run_id text NOT NULL,
  run_status text NOT NULL,
  removed_at timestamptz,
  PRIMARY KEY (job, upstream, downstream)
);
CREATE INDEX lineage_edges_upstream ON lineage_edges (upstream, downstream) WHERE active;
CREATE INDEX lineage_edges_downstream ON lineage_edges (downstream, upstream) WHERE active;

CREATE TABLE lineage_column_edges (
  job text NOT NULL,
  upstream text NOT NULL,
  upstream_column text NOT NULL,
  downstream text NOT NULL,
  downstream_column text NOT NULL,
  active boolean NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  run_id text NOT NULL,
  removed_at timestamptz,
  PRIMARY KEY (job, upstream, upstream_column, downstream, downstream_column)
);
CREATE INDEX lineage_column_edges_upstream ON lineage_column_edges (upstream, upstream_column) WHERE active;
CREATE INDEX lineage_column_edges_downstream ON lineage_column_edges (downstream, downstream_column) WHERE active;

-- Down Migration
DROP TABLE lineage_column_edges;
DROP TABLE lineage_edges;
DROP TABLE lineage_runs;
