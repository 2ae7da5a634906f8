import type { Migration } from '../migrations.js';

/** What steps log through `ctx.logger`, per step attempt; removed with their execution. */
export const m0005StepLogs: Migration = {
  id: 5,
  name: 'step_logs',
  sql: `
-- Step log lines, bounded per attempt by the worker; id orders an execution's log and pages it.
CREATE TABLE vecron_step_logs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  execution_id  uuid NOT NULL REFERENCES vecron_executions(id) ON DELETE CASCADE,
  step_id       text NOT NULL,
  attempt       int NOT NULL,
  seq           int NOT NULL,
  at            timestamptz NOT NULL,
  level         text NOT NULL,
  message       text NOT NULL,
  fields        jsonb,
  UNIQUE (execution_id, step_id, attempt, seq)
);
CREATE INDEX vecron_step_logs_execution ON vecron_step_logs (execution_id, id);
`,
};
