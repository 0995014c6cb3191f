-- Up Migration
-- Alerts compliance raised for the owners of downstream assets when an upstream asset changed its schema in
-- a breaking way or was deleted (processors/compliance/impact.ts). One row per (change, downstream asset);
-- the id is the alert's id on steward.alerts.v1.

CREATE TABLE impact_alerts (
  id text PRIMARY KEY,
  upstream text NOT NULL,
  -- The breaking schema version; null when the upstream asset was deleted.
  schema_version integer,
  downstream text NOT NULL,
  depth integer NOT NULL,
  owners text[] NOT NULL,
  reasons jsonb NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX impact_alerts_upstream ON impact_alerts (upstream, at DESC);
CREATE INDEX impact_alerts_downstream ON impact_alerts (downstream, at DESC);

-- Down Migration
DROP TABLE impact_alerts;
