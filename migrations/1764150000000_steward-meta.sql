-- Up Migration
-- Key/value facts about this deployment's state that outlive a process: the version of the applied
-- topic set, index template and registered schemas, so start-up can tell what needs applying.
CREATE TABLE steward_meta (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE steward_meta;
