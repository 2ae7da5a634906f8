import type { Migration } from '../migrations.js';

/** Core schema v1: jobs, schedules, executions, step attempts, fire ledger, variables. */
export const m0001Init: Migration = {
  id: 1,
  name: 'init',
  sql: `
CREATE SEQUENCE IF NOT EXISTS vecron_fencing_seq;

CREATE TABLE vecron_jobs (
  id            uuid PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  definition    jsonb NOT NULL,
  enabled       boolean NOT NULL DEFAULT true,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- One row per scheduled job: the next instant it is due. Claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE vecron_schedules (
  job_id            uuid PRIMARY KEY REFERENCES vecron_jobs(id) ON DELETE CASCADE,
  next_fire_at      timestamptz,
  last_fire_at      timestamptz,
  last_finished_at  timestamptz,
  anchor_at         timestamptz NOT NULL
);
CREATE INDEX vecron_schedules_due ON vecron_schedules (next_fire_at) WHERE next_fire_at IS NOT NULL;

CREATE TABLE vecron_executions (
  id                uuid PRIMARY KEY,
  job_id            uuid NOT NULL REFERENCES vecron_jobs(id) ON DELETE CASCADE,
  idempotency_key   text NOT NULL,
  status            text NOT NULL,
  trigger_source    text NOT NULL,
  trigger_metadata  jsonb NOT NULL DEFAULT '{}'::jsonb,
  scheduled_for     timestamptz,
  attempt           integer NOT NULL DEFAULT 1,
  current_step      text,
  context           jsonb NOT NULL DEFAULT '{}'::jsonb,
  error             jsonb,
  available_at      timestamptz NOT NULL,
  lease_owner       text,
  lease_expires_at  timestamptz,
  fencing_token     bigint,
  replay_of         uuid,
  created_at        timestamptz NOT NULL,
  started_at        timestamptz,
  finished_at       timestamptz,
  published_at      timestamptz,
  CONSTRAINT vecron_executions_status_check CHECK (status IN
    ('pending','running','cancelling','success','failed','timeout','cancelled','dead_letter')),
  CONSTRAINT vecron_executions_idempotent UNIQUE (job_id, idempotency_key)
);
CREATE INDEX vecron_executions_job_created ON vecron_executions (job_id, created_at DESC);
CREATE INDEX vecron_executions_open ON vecron_executions (status, available_at) WHERE status IN ('pending','running','cancelling');

-- Every attempt of every step: the timeline, and the backoff delay chosen after a failure.
CREATE TABLE vecron_step_attempts (
  execution_id    uuid NOT NULL REFERENCES vecron_executions(id) ON DELETE CASCADE,
  step_id         text NOT NULL,
  attempt         integer NOT NULL,
  status          text NOT NULL,
  fencing_token   bigint NOT NULL,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  error           jsonb,
  retry_delay_ms  integer,
  PRIMARY KEY (execution_id, step_id, attempt)
);

-- What the schedule produced: fired, skipped (with reason) or missed.
CREATE TABLE vecron_fire_ledger (
  job_id        uuid NOT NULL REFERENCES vecron_jobs(id) ON DELETE CASCADE,
  fire_at       timestamptz NOT NULL,
  outcome       text NOT NULL CHECK (outcome IN ('fired','skipped','missed')),
  reason        text,
  execution_id  uuid,
  recorded_at   timestamptz NOT NULL,
  PRIMARY KEY (job_id, fire_at)
);

-- Variables: scope '' is global, otherwise a job id. Sensitive values hold ciphertext only.
CREATE TABLE vecron_variables (
  scope       text NOT NULL,
  name        text NOT NULL,
  value       text NOT NULL,
  sensitive   boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (scope, name)
);
`,
};
