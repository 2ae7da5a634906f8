/**
 * Issue 17: a 102 s downtime produced 375 missed_fire alerts, one webhook POST each. Alerts are
 * grouped per job and kind. The outage is simulated with the scheduler's clock (a real scheduler
 * on the embedded store, ticked by hand); the grouping wait and window are short real timers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import pino from 'pino';
import { createAlerts, groupedAlert } from '../src/alerts/alerts.js';
import type { Alert } from '../src/alerts/alerts.js';
import { testExecutors } from './helpers.js';
import { internalsOf } from '../../sdk/src/internal/cron-internals.js';

const systems: CronSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.stop({ graceMs: 0 });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('alert grouping', () => {
  it('a 100 s scheduler outage yields one alert per job covering all its missed fires; more within the window come as one more alert when it ends', async () => {
    let now = new Date('2026-05-04T08:00:00.500Z');
    const cron = createCronSystem({ clock: { now: () => now }, executors: testExecutors(), pollIntervalMs: 60_000, timezone: 'UTC' });
    systems.push(cron);
    const received: Alert[] = [];
    const deliveredAt = new Map<Alert, number>();
    const alerts = createAlerts(cron, {
      notifiers: [{ name: 'recording', async notify(a) { received.push(a); deliveredAt.set(a, Date.now()); } }],
      consecutiveFailures: 3, onMissedFire: true, onDeadLetter: true, groupWaitMs: 300, groupWindowMs: 3_000, logger: pino({ level: 'silent' }),
    });
    await cron.start({ scheduler: true, worker: false });
    const jobs = await Promise.all(['a', 'b', 'c'].map((n) => cron.jobs.create({ name: `every-second-${n}`, schedule: { type: 'cron', expression: '* * * * * ?' }, steps: [{ id: 's', type: 'echo', config: { message: 'x' } }] })));
    const tick = async (at: string): Promise<void> => {
      now = new Date(at);
      await internalsOf(cron).scheduler()!.tick();
    };
    await tick('2026-05-04T08:00:01.000Z');
    // The scheduler is down for 100 s, then catches up.
    await tick('2026-05-04T08:01:41.000Z');
    const missed = async (jobId: string): Promise<number> => (await cron.ledger(jobId, { limit: 1_000 })).filter((e) => e.outcome === 'missed').length;
    const perJob = await Promise.all(jobs.map((j) => missed(j.id)));
    for (const n of perJob) expect(n).toBeGreaterThanOrEqual(30); // fires older than the misfire threshold (the rest of the 100 fall under fire_once)

    for (let i = 0; i < 100 && received.length < 3; i++) await sleep(100); // the group wait
    await sleep(200);
    expect(received.map((a) => a.job_id).sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const [i, j] of jobs.entries()) {
      const a = received.find((x) => x.job_id === j.id)!;
      expect(a.kind).toBe('missed_fire');
      expect(a.details).toMatchObject({ grouped: perJob[i], first_fire_at: '2026-05-04T08:00:02.000Z' });
      expect(a.message).toContain(`missed ${perJob[i]} fires`);
    }

    // A second outage inside the (real-time) window: held until the window ends, then one more alert per job.
    await tick('2026-05-04T08:03:41.000Z');
    const again = (await Promise.all(jobs.map((j) => missed(j.id)))).map((n, i) => n - perJob[i]!);
    for (const n of again) expect(n).toBeGreaterThan(0);
    for (let i = 0; i < 300 && received.length < 6; i++) await sleep(100);
    await sleep(300);
    expect(received).toHaveLength(6);
    for (const [i, j] of jobs.entries()) {
      const [first, second] = received.filter((x) => x.job_id === j.id);
      expect(second!.details).toMatchObject({ grouped: again[i] });
      // Held: sent when the window that the first alert opened ended, not when the fires were missed.
      expect(deliveredAt.get(second!)! - deliveredAt.get(first!)!).toBeGreaterThanOrEqual(3_000 - 20);
    }
    await alerts.close();
  });

  it('a single alert goes out unchanged; a group names its count, span and executions', () => {
    const one: Alert = { kind: 'dead_letter', job_id: 'j', job_name: 'eod', execution_id: 'e1', at: '2026-01-01T00:00:00.000Z', message: 'execution of eod moved to the dead-letter queue', details: { status: 'dead_letter' } };
    expect(groupedAlert([one], 300_000)).toBe(one);
    const two = groupedAlert([one, { ...one, execution_id: 'e2', at: '2026-01-01T00:01:00.000Z' }], 300_000);
    expect(two.message).toBe('eod had 2 executions moved to the dead-letter queue (grouped: one alert per job and kind per 300 s)');
    expect(two.details).toMatchObject({ grouped: 2, first_at: '2026-01-01T00:00:00.000Z', last_at: '2026-01-01T00:01:00.000Z', execution_ids: ['e1', 'e2'] });
  });
});
