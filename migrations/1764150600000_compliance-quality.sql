-- Up Migration
-- Compliance and quality (processors/compliance, processors/quality), and the notifier. Each table has one
-- writer: compliance writes policies' evaluations, violations and transitions; quality its scores; the
-- notifier its deliveries; `steward policies` (and later the API) the policies and endpoints.
-- Nothing here holds a sample value: classes carry evidence (fractions, counts, a masked exemplar).

-- Policies as data, versioned: a change is a new version; the highest version of an id is current.
CREATE TABLE policies (
  id text NOT NULL,
  version integer NOT NULL,
  definition jsonb NOT NULL,
  builtin boolean NOT NULL DEFAULT false,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, version)
);

-- An asset's compliance view: its columns' classes with evidence and decisions, sensitivity, open
-- violations. `revision` counts compliance's changes; the asset's search document is written at the sum
-- of its parts' revisions (assets, asset_compliance, asset_quality), which only moves forward.
CREATE TABLE asset_compliance (
  urn text PRIMARY KEY,
  revision bigint NOT NULL,
  columns jsonb NOT NULL,
  sensitivity text NOT NULL,
  open_violations integer NOT NULL,
  worst_severity text,
  ruleset_version text NOT NULL,
  evaluated_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_compliance_ruleset ON asset_compliance (ruleset_version);

-- One row per violation episode: opened when a policy fails for an asset, resolved when it passes.
-- The id is deterministic (urn, policy, episode), so re-evaluation, replay and several instances agree.
CREATE TABLE violations (
  id text PRIMARY KEY,
  urn text NOT NULL,
  policy_id text NOT NULL,
  policy_version integer NOT NULL,
  episode integer NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'resolved')),
  severity text NOT NULL,
  escalated boolean NOT NULL DEFAULT false,
  reasons jsonb NOT NULL,
  opened_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  resolved_at timestamptz,
  UNIQUE (urn, policy_id, episode)
);
CREATE INDEX violations_open ON violations (due_at) WHERE status = 'open';
CREATE INDEX violations_urn ON violations (urn, status);

-- The exactly-once ledger of transitions (opened, resolved, severity-changed, escalated): one row per
-- deterministic id, written in the transaction that changed the violation, relayed through the outbox.
CREATE TABLE violation_transitions (
  id text PRIMARY KEY,
  violation_id text NOT NULL REFERENCES violations (id),
  seq integer NOT NULL,
  kind text NOT NULL,
  severity text NOT NULL,
  at timestamptz NOT NULL,
  detail jsonb NOT NULL,
  UNIQUE (violation_id, seq)
);

-- Quality: the latest score per asset (`revision` as for asset_compliance) and its history.
CREATE TABLE asset_quality (
  urn text PRIMARY KEY,
  revision bigint NOT NULL,
  score real,
  band text,
  dimensions jsonb NOT NULL,
  columns jsonb NOT NULL,
  freshness_from text NOT NULL,
  volume_anomaly boolean NOT NULL,
  scored_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_quality_band ON asset_quality (band);

CREATE TABLE quality_history (
  urn text NOT NULL,
  event_id text NOT NULL,
  scored_at timestamptz NOT NULL,
  score real,
  band text,
  dimensions jsonb NOT NULL,
  row_count bigint,
  PRIMARY KEY (urn, event_id)
);
CREATE INDEX quality_history_urn_time ON quality_history (urn, scored_at);

-- The notifier's routing: an owner's webhook endpoints. The signing secret is not stored here: each
-- endpoint names the environment variable that holds it (or the notifier's default secret).
CREATE TABLE notification_endpoints (
  id text PRIMARY KEY,
  owner text NOT NULL,
  url text NOT NULL,
  secret_env text,
  min_severity text NOT NULL DEFAULT 'low',
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_endpoints_owner ON notification_endpoints (owner) WHERE enabled;

-- Delivery is idempotent on (transition, endpoint): a redelivered alert is not posted again.
CREATE TABLE alert_deliveries (
  transition_id text NOT NULL,
  endpoint_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('delivered', 'dead')),
  attempts integer NOT NULL,
  response_status integer,
  error text,
  finished_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (transition_id, endpoint_id)
);

-- Down Migration
DROP TABLE alert_deliveries;
DROP TABLE notification_endpoints;
DROP TABLE quality_history;
DROP TABLE asset_quality;
DROP TABLE violation_transitions;
DROP TABLE violations;
DROP TABLE asset_compliance;
DROP TABLE policies;
