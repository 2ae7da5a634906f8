import type { Migration } from '../migrations.js';

/** Business calendars stored with the jobs. */
export const m0003Calendars: Migration = {
  id: 3,
  name: 'calendars',
  sql: `
-- Business calendars stored with the jobs (issue: scheduling beyond Quartz).
CREATE TABLE vecron_calendars (
  name        text PRIMARY KEY,
  definition  jsonb NOT NULL,
  updated_at  timestamptz NOT NULL
);
`,
};
