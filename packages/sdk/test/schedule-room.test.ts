/**
 * Room on each schedule page for the next versions of its rows (migration 0012,
 * docs/architecture.md#schema-and-migrations): at midnight every schedule of a page advances in
 * one transaction, and each new version should stay on its row's page (no lock record for the old
 * version, no other page touched). Checked on PGlite and PostgreSQL on the SQL underneath.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../src/index.js';
import { sqlClientOf } from '../src/internal/storage-internals.js';
import { sqlStorageBackends } from './helpers/sql-storage-backends.js';

const T0 = new Date('2026-01-05T00:00:00.000Z');
const backends = sqlStorageBackends('schedroom');

describe.each(backends)('schedule pages: %s', (_name, create) => {
  it('every schedule advanced in one transaction keeps its page', async () => {
    const s = await create();
    const db = sqlClientOf(s);
    const definition = (name: string) => parseJobDefinition({ name, schedule: { type: 'cron', expression: '0 0 0 * * ?', timezone: 'UTC' }, steps: [{ id: 's', type: 'echo', config: {} }] });
    for (let i = 0; i < 300; i += 1) await s.createJob({ id: randomUUID(), definition: definition(`room-${i}`), now: T0, anchorAt: T0, nextFireAt: T0 });
    const pages = async () => (await db.query<{ job_id: string; page: string }>(`SELECT job_id, (ctid::text::point)[0]::text AS page FROM vecron_schedules ORDER BY job_id`)).rows;
    const before = await pages();
    expect(new Set(before.map((r) => r.page)).size).toBeGreaterThan(1);
    await db.transaction((tx) => tx.query(`UPDATE vecron_schedules SET next_fire_at = next_fire_at + interval '1 day', last_fire_at = next_fire_at`));
    expect(await pages()).toEqual(before);
  });
});
