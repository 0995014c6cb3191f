-- Up Migration
-- The query API's own state: API keys (only a hash of each secret is stored) and the audit log of every
-- mutation made through the API or its CLI (append-only: the API never updates or deletes a row).

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('viewer', 'steward', 'admin')),
  secret_sha256 bytea NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE api_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  principal text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX api_audit_at ON api_audit (at);
CREATE INDEX api_audit_target ON api_audit (target, at);

-- Down Migration
DROP TABLE api_audit;
DROP TABLE api_keys;
