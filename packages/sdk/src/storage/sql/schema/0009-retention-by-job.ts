import type { Migration } from '../migrations.js';

/**
 * Retention by count (the newest N finished runs of a job) and of the fire ledger by age, each
 * read in small batches from an index (docs/architecture.md#retention).
 */
export const m0009RetentionByJob: Migration = {
  id: 9,
  name: 'retention_by_job',
  sql: `
CREATE INDEX vecron_executions_job_finished ON vecron_executions (job_id, finished_at DESC) WHERE finished_at IS NOT NULL;
CREATE INDEX vecron_fire_ledger_fire_at ON vecron_fire_ledger (fire_at);
`,
};
