/**
 * The fire spec stored with each job (migration 0013, docs/architecture.md#the-midnight-burst):
 * `vecron_jobs.fire_spec` is the text the due read used to build from the definition on every due
 * row, now written with the definition. Checked on PGlite and PostgreSQL: the stored text is
 * exactly the expression's, after a create and after an update, for definitions with and without
 * the optional keys; and the migration's function lists the keys the storage parses.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../src/index.js';
import { sqlClientOf } from '../src/internal/storage-internals.js';
import { m0013StoredFireSpec } from '../src/storage/sql/schema/0013-stored-fire-spec.js';
import { FIRE_SPEC_KEYS } from '../src/storage/sql/statements/fire-rows.js';
import { sqlStorageBackends } from './helpers/sql-storage-backends.js';

const T0 = new Date('2026-01-05T02:00:00.000Z');
/** The expression the due read evaluated per row before migration 0013. */
const BUILT_PER_ROW = `jsonb_build_object(${FIRE_SPEC_KEYS.map((k) => `'${k}', definition->'${k}'`).join(', ')})::text`;

const backends = sqlStorageBackends('firespec');

describe.each(backends)('stored fire spec: %s', (_name, create) => {
  it('is the text the due read built from the definition, after a create and after an update', async () => {
    const s = await create();
    const db = sqlClientOf(s);
    const stored = async (id: string) => (await db.query<{ stored: string; built: string }>(
      `SELECT fire_spec AS stored, ${BUILT_PER_ROW} AS built FROM vecron_jobs WHERE id = $1`, [id])).rows[0]!;
    const plain = parseJobDefinition({ name: `fs-${randomUUID().slice(0, 8)}`, schedule: { type: 'cron', expression: '0 0 0 1 1 ?', timezone: 'UTC' }, steps: [{ id: 's', type: 'echo', config: {} }] });
    const job = await s.createJob({ id: randomUUID(), definition: plain, now: T0, anchorAt: T0, nextFireAt: null });
    const first = await stored(job.id);
    expect(first.stored).toBe(first.built);
    expect(JSON.parse(first.stored)).toMatchObject({ schedule: { type: 'cron', expression: '0 0 0 1 1 ?', timezone: 'UTC' } });

    const changed = parseJobDefinition({ ...plain, schedule: { type: 'cron', expression: '0 30 * * * ?', timezone: 'Europe/Amsterdam' }, jitter_seconds: 5, overlap_policy: 'forbid' });
    await s.updateJob(job.id, { definition: changed, now: T0 });
    const second = await stored(job.id);
    expect(second.stored).toBe(second.built);
    expect(second.stored).not.toBe(first.stored);
    expect(JSON.parse(second.stored)).toMatchObject({ jitter_seconds: 5, overlap_policy: 'forbid', schedule: { expression: '0 30 * * * ?' } });
    // A job read returns the job as before (the column is the due read's alone).
    expect((await s.getJob(job.id))?.definition).toEqual(changed);
  });
});

describe('migration 0013', () => {
  it('stores the keys the storage parses, in the same expression', () => {
    const keys = [...m0013StoredFireSpec.sql.matchAll(/'(\w+)', definition->'(\w+)'/g)].map((m) => (m[1] === m[2] ? m[1] : `${m[1]}≠${m[2]}`));
    expect(keys).toEqual([...FIRE_SPEC_KEYS]);
  });
});
