import type { Migration } from '../migrations.js';

/**
 * Fewer rows per execution (issue 15, docs/architecture.md#step-attempts): the latest step attempt
 * of an execution lives in its execution row, and moves into `vecron_step_attempts` only when
 * another attempt replaces it there (the next step's start, a retry of the step, a reclaim that
 * marks it abandoned). A one-step execution that succeeds first time writes no step-attempt row.
 * The columns are not indexed, so the writes that set them stay HOT updates. Attempts already in
 * the table stay valid; `vecron_step_attempts_all` lists every attempt (table rows and row-held).
 */
export const m0011RowHeldStepAttempt: Migration = {
  id: 11,
  name: 'row_held_step_attempt',
  sql: `
ALTER TABLE vecron_executions
  ADD COLUMN latest_attempt_step_id         text,
  ADD COLUMN latest_attempt_no              integer,
  ADD COLUMN latest_attempt_status          text,
  ADD COLUMN latest_attempt_token           bigint,
  ADD COLUMN latest_attempt_started_at      timestamptz,
  ADD COLUMN latest_attempt_finished_at     timestamptz,
  ADD COLUMN latest_attempt_error           jsonb,
  ADD COLUMN latest_attempt_retry_delay_ms  integer;

-- Every step attempt: the rows of vecron_step_attempts and the one each execution row holds.
CREATE VIEW vecron_step_attempts_all AS
  SELECT execution_id, step_id, attempt, status, fencing_token, started_at, finished_at, error, retry_delay_ms
  FROM vecron_step_attempts
  UNION ALL
  SELECT id, latest_attempt_step_id, latest_attempt_no, latest_attempt_status, latest_attempt_token,
         latest_attempt_started_at, latest_attempt_finished_at, latest_attempt_error, latest_attempt_retry_delay_ms
  FROM vecron_executions WHERE latest_attempt_step_id IS NOT NULL;
`,
};
