import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../events.js';
import type { Execution } from '../model/execution.js';
import type { Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';
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
});
