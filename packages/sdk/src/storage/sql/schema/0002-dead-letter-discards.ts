import type { Migration } from '../migrations.js';

/** Dead letters a person discarded (a database migrated before migrations had owners got this table from its `0002_server`). */
export const m0002DeadLetterDiscards: Migration = {
  id: 2,
  name: 'dead_letter_discards',
  sql: `
-- Dead-letter executions a person discarded (the execution row itself stays as evidence).
CREATE TABLE vecron_dlq_discards (
  execution_id  uuid PRIMARY KEY REFERENCES vecron_executions(id) ON DELETE CASCADE,
  discarded_by  uuid,
  reason        text,
  discarded_at  timestamptz NOT NULL
);
`,
};
