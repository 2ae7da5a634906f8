import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../events.js';
import type { Execution } from '../model/execution.js';
import type { Queue } from '../queue/port.js';
import type { DueSchedule, FireDecision, FireSpec, FireState, Storage } from '../storage/port.js';
import { createScheduler } from './scheduler.js';

const at = new Date('2026-01-01T00:00:00Z');
const execution = (id: string): Execution => ({
  id, jobId: 'j', idempotencyKey: `fire:${id}`, status: 'pending', triggerSource: 'scheduled', triggerMetadata: {}, scheduledFor: at, attempt: 1,
  currentStep: null, context: { steps: {} }, error: null, availableAt: at, leaseOwner: null, leaseExpiresAt: null, fencingToken: null,
  replayOf: null, createdAt: at, startedAt: null, finishedAt: null,
});

describe('scheduler tick', () => {
  it('claims 500 schedules first, then batchSize at a time while claims come back full, and publishes every fire', async () => {
    let due = 12_345;
    const limits: number[] = [];
    const storage = {
      listCalendars: async () => [],
      getSchedulerPause: async () => null,
      markUnpublished: async () => undefined,
      fireDueSchedules: async ({ limit }: { limit: number }) => {
        limits.push(limit);
        const n = Math.min(limit, due);
        due -= n;
        return Array.from({ length: n }, (_, i) => execution(`${limits.length}-${i}`));
      },
    } as unknown as Storage;
    let published = 0;
    const queue = { publishMany: async (m: unknown[]) => ((published += m.length), m.map(() => null)) } as unknown as Queue;
    const scheduler = createScheduler({
      storage, queue, events: createEventBus(() => undefined), clock: { now: () => at }, logger: pino({ level: 'silent' }),
      settings: { pollIntervalMs: 1_000, batchSize: 5_000, newExecutionId: () => 'x', defaultTimeZone: 'UTC', maxFiresPerTick: 10, misfireThresholdMs: 60_000 },
    });
    expect(await scheduler.tick()).toBe(12_345);
    expect(limits).toEqual([500, 5_000, 5_000, 5_000]);
    expect(published).toBe(12_345);
  });

  it('stops after a first claim that comes back short', async () => {
    const limits: number[] = [];
    const storage = {
      listCalendars: async () => [],
      getSchedulerPause: async () => null,
      fireDueSchedules: async ({ limit }: { limit: number }) => (limits.push(limit), [execution('only')]),
    } as unknown as Storage;
    const queue = { publishMany: async (m: unknown[]) => m.map(() => null) } as unknown as Queue;
    const scheduler = createScheduler({
      storage, queue, events: createEventBus(() => undefined), clock: { now: () => at }, logger: pino({ level: 'silent' }),
      settings: { pollIntervalMs: 1_000, batchSize: 200, newExecutionId: () => 'x', defaultTimeZone: 'UTC', maxFiresPerTick: 10, misfireThresholdMs: 60_000 },
    });
    expect(await scheduler.tick()).toBe(1);
    expect(limits).toEqual([200]);
  });

  const settings = { pollIntervalMs: 1_000, batchSize: 200, newExecutionId: () => 'x', defaultTimeZone: 'UTC', maxFiresPerTick: 10, misfireThresholdMs: 60_000 };
  const spec = { schedule: { type: 'cron', expression: '0 0 0 * * ?', calendar: 'desk' }, misfire_policy: 'fire_once', triggers: { scheduled: true, manual: true }, allow_concurrent: true } as FireSpec;
  const dueRow: DueSchedule = { jobId: 'j', definition: spec, enabled: true, nextFireAt: at, lastFireAt: null, lastFinishedAt: null, anchorAt: at, pendingCount: 0, runningCount: 0 };
  const desk = (excluded: string) => ({ name: 'desk', definition: { name: 'desk', excluded_dates: [excluded] }, updatedAt: at });
  type FireArgs = Parameters<Storage['fireDueSchedules']>[0];

  it('decides with the pause and the calendars its claim reports, passing back the calendars version it holds, and reads neither on its own', async () => {
    const states: Array<FireState | undefined> = [];
    const versions: Array<string | null> = [];
    const decisions: FireDecision[] = [];
    const storage = {
      listCalendars: async () => expect.unreachable('listCalendars'),
      getSchedulerPause: async () => expect.unreachable('getSchedulerPause'),
      fireDueSchedules: async ({ decide, fireState }: FireArgs) => {
        versions.push(fireState!.calendarsVersion);
        const state = states.shift();
        if (state) fireState!.report(state);
        if (state) decisions.push(decide(dueRow));
        return [];
      },
    } as unknown as Storage;
    const scheduler = createScheduler({ storage, queue: {} as Queue, events: createEventBus(() => undefined), clock: { now: () => at }, logger: pino({ level: 'silent' }), settings });
    states.push({ paused: false, calendars: { version: 'v1', list: [desk('2025-12-31')] } });
    await scheduler.tick();
    expect(decisions.pop()).toMatchObject({ fire: [{ at }], skip: [] });
    states.push({ paused: true, calendars: null });
    await scheduler.tick();
    expect(decisions.pop()).toMatchObject({ fire: [], skip: [{ outcome: 'skipped', reason: 'paused' }] });
    // Nothing due: no report; the calendars held stay.
    await scheduler.tick();
    states.push({ paused: false, calendars: null });
    await scheduler.tick();
    expect(decisions.pop()).toMatchObject({ fire: [{ at }], skip: [] });
    states.push({ paused: false, calendars: { version: 'v2', list: [desk('2026-01-01')] } });
    await scheduler.tick();
    expect(decisions.pop()).toMatchObject({ fire: [], skip: [{ outcome: 'skipped', reason: expect.stringContaining('desk') }] });
    await scheduler.tick();
    expect(versions).toEqual([null, 'v1', 'v1', 'v1', 'v1', 'v2']);
  });

  it('reads the pause and the calendars itself, before each tick, once its storage is seen not to report them (the claim that found out is rolled back and made again)', async () => {
    let paused = true;
    const calls: string[] = [];
    const decisions: Array<FireDecision | Error> = [];
    const storage = {
      listCalendars: async () => (calls.push('listCalendars'), [desk('2026-06-30')]),
      getSchedulerPause: async () => (calls.push('getSchedulerPause'), paused ? { since: at, by: null, reason: null } : null),
      // A storage that predates `fireState`: decides without reporting.
      fireDueSchedules: async ({ decide }: FireArgs) => {
        calls.push('fireDueSchedules');
        try {
          decisions.push(decide(dueRow));
        } catch (err) {
          decisions.push(err as Error);
          throw err;
        }
        return [];
      },
    } as unknown as Storage;
    const scheduler = createScheduler({ storage, queue: {} as Queue, events: createEventBus(() => undefined), clock: { now: () => at }, logger: pino({ level: 'silent' }), settings });
    await scheduler.tick();
    expect(calls).toEqual(['fireDueSchedules', 'listCalendars', 'getSchedulerPause', 'fireDueSchedules']);
    expect(decisions.shift()).toBeInstanceOf(Error);
    expect(decisions.shift()).toMatchObject({ fire: [], skip: [{ reason: 'paused' }] });
    paused = false;
    calls.length = 0;
    await scheduler.tick();
    expect(calls).toEqual(['listCalendars', 'getSchedulerPause', 'fireDueSchedules']);
    expect(decisions.shift()).toMatchObject({ fire: [{ at }], skip: [] });
  });
});
