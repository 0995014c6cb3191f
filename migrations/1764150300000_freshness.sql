-- Up Migration
-- Freshness per consumer group and input partition (src/domain/freshness.ts): written by every running
-- instance of the group every few seconds, read by the API to say how fresh search results are.
-- Retention: one row per (group, topic, partition), overwritten in place; a partition that no longer
-- exists keeps its last row, which its old checked_at marks as stale.
CREATE TABLE steward_freshness (
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  -- Records between the group's committed offset and the partition's end offset at the last check.
  lag bigint NOT NULL,
  -- When the lag was last seen to be 0 (end offset read before the committed offset).
  caught_up_at timestamptz,
  -- Event time of the last record applied (for a derived record, of the input it came from).
  reflected_through timestamptz,
  checked_at timestamptz NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
);

-- Down Migration
DROP TABLE steward_freshness;
