import type { Migration } from '@vecron/sdk';

/**
 * A drain request lives on the process's own registry row (it was a `drain:<id>` key in the
 * core's cluster settings, a table the server does not own): it goes with the row when the
 * process stops.
 */
export const m0003ProcessDrain: Migration = {
  id: 3,
  name: 'process_drain',
  sql: `
ALTER TABLE vecron_processes ADD COLUMN drain_requested_at timestamptz, ADD COLUMN drain_requested_by text;
`,
};
