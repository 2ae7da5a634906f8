import { describe, expect, it } from 'vitest';
import { createCronSystem } from './create-cron-system.js';
import type { Clock } from './internal/clock.js';
import type { Queue } from './queue/port.js';

describe('createCronSystem', () => {
  it('hands its clock to the queue, so notBefore is judged by the clock due-ness is', () => {
    const given: Clock[] = [];
    const queue: Queue = {
      publish: async () => undefined,
      consume: async () => undefined,
      size: async () => 0,
      close: async () => undefined,
      useClock: (c) => void given.push(c),
    };
    const clock: Clock = { now: () => new Date('2026-01-01T00:00:00Z') };
    createCronSystem({ queue, clock });
    expect(given).toEqual([clock]);
  });
});
