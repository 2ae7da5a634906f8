import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem, embeddedStorage } from '@vecron/sdk';
import type { CronSystem, Storage } from '@vecron/sdk';
import { fakeClock } from './helpers/fake-clock.js';
import { echoExecutor } from './helpers/test-executors.js';
import { internalsOf } from '../src/internal/cron-internals.js';
import { sqlClientOf } from '../src/internal/storage-internals.js';

/**
 * Issue 17, config drift: a scheduler started with another default time zone changes no stored
 * job's fires. A cron job's zone is resolved and written into its definition when it is saved.
 */

const systems: CronSystem[] = [];
let shared: Storage | null = null;
afterEach(async () => {
  for (const s of systems.splice(0)) await s.stop({ graceMs: 0 });
});

describe('time zone drift between processes', () => {
  it('a scheduler with another timezone fires a zone-less cron job at the zone it was saved with, and an update through it keeps that zone', async () => {
    shared ??= await embeddedStorage();
    const storage: Storage = { ...shared, close: async () => undefined };
    const clock = fakeClock(new Date('2026-03-01T00:00:00Z'));
    const saver = createCronSystem({ storage, clock, executors: [echoExecutor()], timezone: 'Asia/Ho_Chi_Minh' });
    const other = createCronSystem({ storage, clock, executors: [echoExecutor()], timezone: 'America/New_York', pollIntervalMs: 60_000 });
    systems.push(saver, other);
    const job = await saver.jobs.create({ name: 'nine-am', schedule: { type: 'cron', expression: '0 0 9 * * ?' }, steps: [{ id: 's', type: 'echo', config: { value: 1 } }] });
    expect(job.definition.schedule).toMatchObject({ type: 'cron', timezone: 'Asia/Ho_Chi_Minh' });
    const nineHcm = ['2026-03-01T02:00:00.000Z', '2026-03-02T02:00:00.000Z', '2026-03-03T02:00:00.000Z'];
    expect((await other.jobs.preview(job.id, 3)).map((d) => d.toISOString())).toEqual(nineHcm);

    await other.start({ scheduler: true, worker: false });
    for (const at of ['2026-03-01T02:00:01Z', '2026-03-02T02:00:01Z']) {
      clock.set(new Date(at));
      await internalsOf(other).scheduler()!.tick();
    }
    const fired = (await other.executions.list({ jobId: job.id })).map((e) => e.scheduledFor!.toISOString()).sort();
    expect(fired).toEqual(nineHcm.slice(0, 2));
    const { rows } = await sqlClientOf(shared).query<{ next_fire_at: string }>('SELECT next_fire_at FROM vecron_schedules WHERE job_id = $1', [job.id]);
    expect(new Date(rows[0]!.next_fire_at).toISOString()).toBe(nineHcm[2]);

    // Saved again through the other process without a zone: the stored zone stays.
    const updated = await other.jobs.update(job.id, { name: 'nine-am', schedule: { type: 'cron', expression: '0 0 9 * * ?' }, steps: [{ id: 's', type: 'echo', config: { value: 2 } }] });
    expect(updated.definition.schedule).toMatchObject({ timezone: 'Asia/Ho_Chi_Minh' });
    // A new job saved through it takes its default.
    const mine = await other.jobs.create({ name: 'ny', schedule: { type: 'cron', expression: '0 0 9 * * ?' }, steps: [{ id: 's', type: 'echo', config: { value: 1 } }] });
    expect(mine.definition.schedule).toMatchObject({ timezone: 'America/New_York' });
  });
});
