-- Up Migration
-- The processor runtime's tables. Retention: steward_applied_events rows are pruned once older than twice
-- the input topic's retention (a redelivery can no longer carry them); steward_outbox rows are deleted
-- a day after publication; steward_dlq_payloads are kept until the dead letter is replayed or purged.

-- Each processor's keyed state (keyed by asset URN), written with optimistic concurrency on `version`.
CREATE TABLE steward_state (
  processor text NOT NULL,
  key text NOT NULL,
  version bigint NOT NULL,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (processor, key)
);

-- The exactly-once ledger: an event id is applied once per processor, under this unique constraint.
CREATE TABLE steward_applied_events (
  processor text NOT NULL,
  event_id text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (processor, event_id)
);
CREATE INDEX steward_applied_events_applied_at ON steward_applied_events (applied_at);

-- Transactional outbox: events to publish, written in the same transaction as the state they describe.
CREATE TABLE steward_outbox (
  id bigserial PRIMARY KEY,
  processor text NOT NULL,
  topic text NOT NULL,
  key text NOT NULL,
  value jsonb,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX steward_outbox_unpublished ON steward_outbox (id) WHERE published_at IS NULL;

-- Originals too large for the DLQ topic, referenced from the dead letter by their SHA-256.
CREATE TABLE steward_dlq_payloads (
  sha256 text PRIMARY KEY,
  value bytea NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE steward_dlq_payloads;
DROP TABLE steward_outbox;
DROP TABLE steward_applied_events;
DROP TABLE steward_state;
