import type { Migration } from '../migrations.js';

/**
 * Indexes for listing executions at scale (the dashboard and `GET /api/executions` at a million
 * rows): newest first overall and per status, with id as the keyset tie-breaker.
 */
export const m0007ExecutionListIndexes: Migration = {
  id: 7,
  name: 'execution_list_indexes',
  sql: `
-- Newest first, with id as the keyset tie-breaker.
CREATE INDEX vecron_executions_created ON vecron_executions (created_at DESC, id DESC);
-- Newest first within a status (failures of the last 24 h, dead letters, running).
CREATE INDEX vecron_executions_status_created ON vecron_executions (status, created_at DESC, id DESC);
`,
};
