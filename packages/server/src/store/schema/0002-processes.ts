import type { Migration } from '@vecron/sdk';

/** The cluster registry: one row per running process. */
export const m0002Processes: Migration = {
  id: 2,
  name: 'processes',
  // A database migrated before migrations had owners got these tables from the core's `0004_cluster`.
  legacy: { id: 4, name: 'cluster' },
  sql: `
-- One row per running process (every role, the embedded one too), refreshed by its heartbeat and
-- removed on a clean stop; a row whose heartbeat is older than the staleness bound is a dead process.
CREATE TABLE vecron_processes (
  id            text PRIMARY KEY,          -- the process's worker id (host:pid:random): lease owners match it
  role          text NOT NULL,
  version       text NOT NULL,
  hostname      text NOT NULL,
  pid           integer NOT NULL,
  -- What must agree across the cluster: version, schema, queue names, key ids, default time zone.
  fingerprint   jsonb NOT NULL,
  started_at    timestamptz NOT NULL,
  heartbeat_at  timestamptz NOT NULL
);
CREATE INDEX vecron_processes_heartbeat ON vecron_processes (heartbeat_at);
`,
};
