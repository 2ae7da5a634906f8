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

  it('publishes a pass in chunks through publishMany, marks only what the queue took, and fails the pass after a failed chunk without publishing the rest', async () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const rows = Array.from({ length: 1_200 }, (_, i) => ({ id: `e${i}`, jobId: 'j', availableAt: at, fencingToken: i === 0 ? 7 : null, reason: 'new' }));
    const calls: Array<Array<{ executionId: string } & PublishOptions>> = [];
    const marked: string[][] = [];
    const dispatched: string[] = [];
    const refused = new Error('stream full');
    let failAt: string | null = null;
    const storage = {
      findExecutionsToDispatch: async () => rows,
      markPublished: async (ids: string[]) => void marked.push(ids),
    } as unknown as Storage;
    const queue = {
      publish: async () => { throw new Error('publish one by one'); },
      publishMany: async (messages: Array<{ executionId: string } & PublishOptions>) => {
        calls.push(messages);
        return messages.map((m) => (m.executionId === failAt ? refused : null));
      },
    } as unknown as Queue;
    const events = createEventBus(() => undefined);
    events.on('execution.dispatched', (e) => void dispatched.push(e.executionId));
    const d = createDispatcher({
      storage, queue, events, clock: { now: () => at }, logger: pino({ level: 'silent' }),
      settings: { intervalMs: 1_000, republishAfterMs: 30_000, batchSize: 1_200 },
    });
    expect(await d.tick()).toBe(1_200);
    expect(calls.map((c) => c.length)).toEqual([500, 500, 200]);
    expect(calls[0]![0]).toEqual({ executionId: 'e0', notBefore: at, jobId: 'j', deduplicationId: 'e0:7' });
    expect(calls[0]![1]).toEqual({ executionId: 'e1', notBefore: at, jobId: 'j' });
    expect(marked).toEqual([rows.map((r) => r.id)]);
    expect(dispatched).toHaveLength(1_200);

    // One message of the second chunk refused: the first chunk and the rest of the second are
    // marked and announced, the third chunk waits for the next pass, and the pass fails.
    calls.length = 0;
    marked.length = 0;
    dispatched.length = 0;
    failAt = 'e600';
    await expect(d.tick()).rejects.toBe(refused);
    expect(calls.map((c) => c.length)).toEqual([500, 500]);
    const took = rows.slice(0, 1_000).map((r) => r.id).filter((id) => id !== 'e600');
    expect(marked).toEqual([took]);
    expect(dispatched).toEqual(took);
  });
});
