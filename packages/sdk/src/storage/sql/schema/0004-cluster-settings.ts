import type { Migration } from '../migrations.js';

/** Cluster-wide switches such as the scheduler pause (a database migrated before migrations had owners got this table from its `0004_cluster`). */
export const m0004ClusterSettings: Migration = {
  id: 4,
  name: 'cluster_settings',
  sql: `
-- Cluster-wide switches (e.g. the scheduler pause), one JSON value per key.
CREATE TABLE vecron_cluster_settings (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text
);
`,
};
