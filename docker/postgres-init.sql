-- Runs once, when the compose PostgreSQL container initialises an empty data directory
-- (files in /docker-entrypoint-initdb.d are skipped when data already exists).
-- steward: Steward's own database. steward_registry: Apicurio Registry's storage.
CREATE DATABASE steward;
CREATE DATABASE steward_registry;
