-- Up Migration
-- The catalog, written by metadata-sync in the same transaction as its state and ledger.
-- Retention: `assets` rows are kept forever, tombstones included (a deleted asset keeps its row with
-- deleted = true, so a late event for it never re-creates a search document). `schema_versions` rows are
-- kept forever as well: the schema history is the product, and it outlives the asset's deletion.

-- The current, flat view of each asset (processors/metadata-sync/record.ts, toAssetRecord).
CREATE TABLE assets (
  urn text PRIMARY KEY,
  platform text NOT NULL,
  instance text NOT NULL,
  type text NOT NULL,
  name text NOT NULL,
  qualified_name text NOT NULL,
  description text,
  owners text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  deleted boolean NOT NULL DEFAULT false,
  placeholder boolean NOT NULL DEFAULT false,
  -- The per-asset document revision: +1 on every merge that changed the state.
  revision bigint NOT NULL,
  schema_fingerprint text,
  schema_version integer,
  last_modified_at timestamptz,
  -- The newest aspect stamp: {"occurredAt": ..., "eventId": ...}.
  updated_stamp jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assets_platform_instance ON assets (platform, instance) WHERE NOT deleted;
CREATE INDEX assets_deleted ON assets (deleted);
CREATE INDEX assets_owners ON assets USING gin (owners);
CREATE INDEX assets_tags ON assets USING gin (tags);

-- updated_at is when the row last changed (metadata-sync's handle is pure and sends no clock reading).
CREATE FUNCTION assets_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
CREATE TRIGGER assets_touch_updated_at BEFORE UPDATE ON assets
  FOR EACH ROW EXECUTE FUNCTION assets_touch_updated_at();

-- One row per schema version of an asset: its columns and the diff from the previous version.
CREATE TABLE schema_versions (
  urn text NOT NULL,
  version integer NOT NULL,
  fingerprint text NOT NULL,
  columns jsonb NOT NULL,
  diff jsonb NOT NULL,
  breaking boolean NOT NULL,
  occurred_at timestamptz NOT NULL,
  event_id text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (urn, version)
);
CREATE INDEX schema_versions_breaking ON schema_versions (occurred_at) WHERE breaking;

-- Down Migration
DROP TABLE schema_versions;
DROP TABLE assets;
DROP FUNCTION assets_touch_updated_at();
