import type { Migration } from '../migrations.js';

/**
 * Indexes for the dead-letter reads (open dead letters: not replayed) and for retention, which
 * must find an execution's replays without scanning the table.
 */
export const m0006DeadLetterIndexes: Migration = {
  id: 6,
  name: 'dead_letter_indexes',
  sql: `
CREATE INDEX vecron_executions_dead_letters ON vecron_executions (finished_at DESC) WHERE status = 'dead_letter';
CREATE INDEX vecron_executions_replay_of ON vecron_executions (replay_of) WHERE replay_of IS NOT NULL;
`,
};
