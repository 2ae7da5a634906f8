-- Business calendars stored with the jobs (issue: scheduling beyond Quartz).
CREATE TABLE vecron_calendars (
  name        text PRIMARY KEY,
  definition  jsonb NOT NULL,
  updated_at  timestamptz NOT NULL
);
