-- vecron schema v4: the cluster registry and cluster-wide settings (issue 17, operations).
-- Owned by @vecron/server; kept with the storage so the embedded store and PostgreSQL migrate alike.

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

-- Cluster-wide switches (e.g. the scheduler pause), one JSON value per key.
CREATE TABLE vecron_cluster_settings (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text
);
