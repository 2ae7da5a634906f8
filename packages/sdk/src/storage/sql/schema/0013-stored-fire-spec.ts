import type { Migration } from '../migrations.js';

/**
 * A job's fire spec stored with it (issue 15 target c, docs/architecture.md#the-midnight-burst):
 * the due read groups locked schedules by the fire-deciding fields of their jobs' definitions, and
 * built that value per due row (seven `->` reads, a `jsonb_build_object` and its text: ~8 µs of
 * PostgreSQL CPU per fire, 84 ms for 10,000 jobs). `fire_spec` is the same text, computed when the
 * definition is written. `jsonb_build_object` is only STABLE (its arguments are of any type), so
 * a generated column cannot call it directly; with jsonb arguments it depends on its input alone,
 * which `vecron_fire_spec` declares. Its keys are `FIRE_SPEC_KEYS` (statements/fire-rows.ts; a
 * test holds them equal): changing them takes a new migration.
 */
export const m0013StoredFireSpec: Migration = {
  id: 13,
  name: 'stored_fire_spec',
  sql: `
CREATE FUNCTION vecron_fire_spec(definition jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object('schedule', definition->'schedule', 'catchup', definition->'catchup',
    'misfire_policy', definition->'misfire_policy', 'triggers', definition->'triggers',
    'allow_concurrent', definition->'allow_concurrent', 'overlap_policy', definition->'overlap_policy',
    'jitter_seconds', definition->'jitter_seconds')::text
$$;
ALTER TABLE vecron_jobs ADD COLUMN fire_spec text NOT NULL GENERATED ALWAYS AS (vecron_fire_spec(definition)) STORED;
`,
};
