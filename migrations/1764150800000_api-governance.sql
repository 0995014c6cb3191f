-- Up Migration
-- The query API's governance writes. A steward acknowledging a violation says "seen, being handled"; it
-- neither resolves nor silences it (compliance alone opens and resolves violations, and escalates them
-- past their SLA). One row per violation episode, written only by the API, audited in api_audit.

CREATE TABLE violation_acknowledgements (
  violation_id text PRIMARY KEY REFERENCES violations (id),
  acknowledged_by text NOT NULL,
  acknowledged_at timestamptz NOT NULL DEFAULT now(),
  note text
);

-- The API's own reads: violations across assets, newest first, filtered by severity or policy.
CREATE INDEX violations_opened ON violations (opened_at DESC, id DESC);
CREATE INDEX violations_policy ON violations (policy_id, status);

-- Down Migration
DROP INDEX violations_policy;
DROP INDEX violations_opened;
DROP TABLE violation_acknowledgements;
