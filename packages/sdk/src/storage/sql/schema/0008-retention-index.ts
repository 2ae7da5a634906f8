import type { Migration } from '../migrations.js';

/** Finished executions by age, for retention's small batches (oldest first, no table scan). */
export const m0008RetentionIndex: Migration = {
  id: 8,
  name: 'retention_index',
  sql: `
CREATE INDEX vecron_executions_finished ON vecron_executions (finished_at) WHERE finished_at IS NOT NULL;
`,
};
