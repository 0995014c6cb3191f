-- Up Migration
-- Timers (src/scheduler): the (job, slot) ledgers that make a slot take effect exactly once however many
-- schedulers and sweep consumers run, and the series the sweeps record.
-- Retention: slot and run rows are small (one per job per slot: ~250 a day with the default schedules)
-- and kept 90 days by the housekeeping of the scheduler; KPI and health series are kept forever.

-- One row per (job, slot) a scheduler took: the unique key is the scheduler-side dedupe. A row whose tick
-- was never published (its scheduler died between the insert and the send) is published by another.
CREATE TABLE steward_timer_slots (
  job text NOT NULL,
  slot timestamptz NOT NULL,
  -- scheduled: a cron slot (moves the job's cursor); manual: `steward jobs run`; skipped: a missed slot
  -- passed over by the skip policy (recorded, never published).
  kind text NOT NULL CHECK (kind IN ('scheduled', 'manual', 'skipped')),
  scheduler_id text NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  PRIMARY KEY (job, slot)
);
CREATE INDEX steward_timer_slots_unpublished ON steward_timer_slots (taken_at)
  WHERE published_at IS NULL AND kind <> 'skipped';

-- One row per (job, slot) a sweep consumer ran: the unique key is the run-side dedupe. A run is claimed
-- with a lease; a claim whose lease lapsed (its consumer died) is taken over, and the sweep's effects are
-- idempotent, so a taken-over run repeats nothing that already took effect.
CREATE TABLE steward_job_runs (
  job text NOT NULL,
  slot timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  runner_id text NOT NULL,
  attempts integer NOT NULL DEFAULT 1,
  started_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz NOT NULL,
  finished_at timestamptz,
  -- What the sweep did (counts, drift, figures) or why it failed.
  outcome jsonb,
  error text,
  PRIMARY KEY (job, slot)
);
CREATE INDEX steward_job_runs_finished ON steward_job_runs (job, finished_at DESC);

-- kpi-aggregate: governance KPIs, one row per slot (a time series; the API serves live figures itself).
CREATE TABLE steward_kpi_snapshots (
  slot timestamptz PRIMARY KEY,
  kpis jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- health-snapshot: reachability of every server and the consumer lag of every group, one row per slot.
CREATE TABLE steward_health_snapshots (
  slot timestamptz PRIMARY KEY,
  healthy boolean NOT NULL,
  checks jsonb NOT NULL,
  lag jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE steward_health_snapshots;
DROP TABLE steward_kpi_snapshots;
DROP TABLE steward_job_runs;
DROP TABLE steward_timer_slots;
