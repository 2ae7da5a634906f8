import type { Migration } from '../migrations.js';

/**
 * Fewer index writes per execution (docs/architecture.md#schema-and-migrations). An UPDATE that
 * changes no indexed column and finds room on the row's own page is a HOT update: no index
 * entry at all, and the dead version is pruned without vacuum. Of an execution's five updates,
 * three (mark published, step start, step success; lease extensions too) change no indexed
 * column, but at the default fillfactor the page is full and every one of them wrote a new entry
 * into each index. Claim and completion change `status`, so they always write; the list-by-status
 * index now holds finished executions only, so neither the insert nor the claim writes to it
 * (open executions are listed through `vecron_executions_open`).
 */
export const m0010HotExecutionUpdates: Migration = {
  id: 10,
  name: 'hot_execution_updates',
  sql: `
-- Half of each new page stays free for the next versions of its rows (existing pages keep theirs).
ALTER TABLE vecron_executions SET (fillfactor = 50);
-- A step attempt is inserted running and updated once, finished (no indexed column changes).
ALTER TABLE vecron_step_attempts SET (fillfactor = 50);
-- Newest first within a finished status (failures of the last 24 h, dead letters, successes).
DROP INDEX vecron_executions_status_created;
CREATE INDEX vecron_executions_status_created ON vecron_executions (status, created_at DESC, id DESC)
  WHERE status IN ('success','failed','timeout','cancelled','dead_letter');
`,
};
