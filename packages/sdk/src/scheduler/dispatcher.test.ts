import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../events.js';
import type { PublishOptions, Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';
import { createDispatcher } from './dispatcher.js';

describe('dispatcher', () => {
  it('re-publishes a claimed execution (orphaned or handed back) under a new de-duplication id, a never-claimed one under its id', async () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const rows = [
      { id: 'never-claimed', jobId: 'j', availableAt: at, fencingToken: null },
      { id: 'orphaned', jobId: 'j', availableAt: at, fencingToken: 41 },
    ];
    const published: Array<[string, PublishOptions | undefined]> = [];
    const marked: string[][] = [];
    const storage = {
      findExecutionsToDispatch: async () => rows,
      markPublished: async (ids: string[]) => void marked.push(ids),
    } as unknown as Storage;
    const queue = { publish: async (id: string, o?: PublishOptions) => void published.push([id, o]) } as unknown as Queue;
    const d = createDispatcher({
      storage, queue, events: createEventBus(() => undefined), clock: { now: () => at }, logger: pino({ level: 'silent' }),
      settings: { intervalMs: 1_000, republishAfterMs: 30_000, batchSize: 10 },
    });
    expect(await d.tick()).toBe(2);
    expect(published).toEqual([
      ['never-claimed', { notBefore: at, jobId: 'j' }],
      ['orphaned', { notBefore: at, jobId: 'j', deduplicationId: 'orphaned:41' }],
    ]);
    expect(marked).toEqual([['never-claimed', 'orphaned']]);
  });
});
