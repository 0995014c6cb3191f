-- Up Migration
-- One row, bumped by the lineage processor in the same transaction as every change to lineage_edges, so a
-- reader holding the graph in memory (the API) knows when to load it again.
CREATE TABLE lineage_graph_version (
  id integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);

-- Down Migration
DROP TABLE lineage_graph_version;
