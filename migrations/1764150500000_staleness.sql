-- Up Migration
-- metadata-resync (src/scheduler/sweeps/metadata-resync.ts): an asset whose source has not reported it
-- within its expected interval is marked stale by metadata-sync, which owns this table. NULL: not stale.
ALTER TABLE assets ADD COLUMN stale_since timestamptz;
-- The sweep pages through live, not-yet-stale assets by URN.
CREATE INDEX assets_resync ON assets (urn) WHERE NOT deleted AND stale_since IS NULL;

-- Down Migration
DROP INDEX assets_resync;
ALTER TABLE assets DROP COLUMN stale_since;
