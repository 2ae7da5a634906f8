import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import { fakeClock } from './helpers/fake-clock.js';
import { echoExecutor } from './helpers/test-executors.js';
import { internalsOf } from '../src/internal/cron-internals.js';

/** Issue 17: the cluster-wide scheduler pause. */

const systems: CronSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.stop({ graceMs: 0 });
});

const step = [{ id: 's', type: 'echo', config: { value: 1 } }] as const;

describe('scheduler pause', () => {
  it('fires during a pause are ledger "skipped (paused)" and never run; after resume the grid, the anchors and the disabled jobs are as before', async () => {
    const clock = fakeClock(new Date('2026-05-04T08:00:30Z'));
    const cron = createCronSystem({ clock, executors: [echoExecutor()], pollIntervalMs: 60_000, timezone: 'UTC' });
    systems.push(cron);
    await cron.start({ scheduler: true, worker: false });
    const rate = await cron.jobs.create({ name: 'every-90s', schedule: { type: 'fixed_rate', interval_seconds: 90, start_at: '2026-05-04T08:00:00Z' }, steps: [...step] });
    const minute = await cron.jobs.create({ name: 'every-minute', schedule: { type: 'cron', expression: '0 * * * * ?' }, steps: [...step] });
    const off = await cron.jobs.create({ name: 'disabled', enabled: false, schedule: { type: 'cron', expression: '0 * * * * ?' }, steps: [...step] });
    const tick = async (at: string): Promise<void> => {
      clock.set(new Date(at));
      await internalsOf(cron).scheduler()!.tick();
    };
    await tick('2026-05-04T08:01:30Z'); // rate 08:01:30, minute 08:01

    const pause = await cron.maintenance.pause({ by: 'ops', reason: 'database upgrade' });
    expect(pause).toMatchObject({ by: 'ops', reason: 'database upgrade', since: new Date('2026-05-04T08:01:30Z') });
    expect(await cron.maintenance.pause({ by: 'someone-else' })).toEqual(pause); // idempotent: the first pause stands
    await tick('2026-05-04T08:02:10Z');
    await tick('2026-05-04T08:04:40Z'); // well past the misfire threshold for 08:03 and 08:03:00
    await cron.maintenance.resume();
    expect(await cron.maintenance.status()).toBeNull();
    await tick('2026-05-04T08:06:00Z');

    const ledger = async (jobId: string) => (await cron.ledger(jobId)).map((e) => [e.fireAt.toISOString().slice(11, 19), e.outcome, e.reason]);
    expect(await ledger(rate.id)).toEqual([
      ['08:01:30', 'fired', null],
      ['08:03:00', 'skipped', 'paused'],
      ['08:04:30', 'skipped', 'paused'],
      ['08:06:00', 'fired', null],
    ]);
    expect(await ledger(minute.id)).toEqual([
      ['08:01:00', 'fired', null],
      ['08:02:00', 'skipped', 'paused'],
      ['08:03:00', 'skipped', 'paused'],
      ['08:04:00', 'skipped', 'paused'],
      ['08:05:00', 'fired', null], // late but within the misfire threshold after resume
      ['08:06:00', 'fired', null],
    ]);
    // Nothing that fell due during the pause was created; the disabled job stayed disabled, its fires 'disabled'.
    const created = (await cron.executions.list({ jobId: rate.id })).map((e) => e.scheduledFor!.toISOString().slice(11, 19)).sort();
    expect(created).toEqual(['08:01:30', '08:06:00']);
    expect((await cron.jobs.get(off.id))!.enabled).toBe(false);
    expect(new Set((await cron.ledger(off.id)).map((e) => e.reason))).toEqual(new Set(['disabled']));
  });
});
