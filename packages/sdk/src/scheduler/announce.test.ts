import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../events.js';
import type { Execution } from '../model/execution.js';
import type { Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';
import { announceCreated } from './announce.js';

const now = new Date('2026-01-01T00:00:00Z');
const execution = { id: 'e-1', jobId: 'j-1', availableAt: now } as Execution;

function harness(publish: () => Promise<void>) {
  const writes: string[] = [];
  const storage = {
    markPublished: async (ids: string[]) => void writes.push(`published ${ids.join()}`),
    markUnpublished: async (ids: string[]) => void writes.push(`unpublished ${ids.join()}`),
  } as unknown as Storage;
  const queue = { publish } as unknown as Queue;
  return { writes, deps: { storage, queue, events: createEventBus(() => undefined), logger: pino({ level: 'silent' }) } };
}

describe('announceCreated', () => {
  it('a row written as published costs no write when the publish succeeds', async () => {
    const { writes, deps } = harness(async () => undefined);
    await announceCreated(deps, execution, now, { writtenPublished: true });
    expect(writes).toEqual([]);
  });

  it('a row written as published whose publish fails is handed to the dispatcher (markUnpublished), without failing the caller', async () => {
    const { writes, deps } = harness(async () => Promise.reject(new Error('broker down')));
    await announceCreated(deps, execution, now, { writtenPublished: true });
    expect(writes).toEqual(['unpublished e-1']);
  });

  it('a row written unpublished is marked published after its publish, and left to the dispatcher when that fails', async () => {
    const ok = harness(async () => undefined);
    await announceCreated(ok.deps, execution, now);
    expect(ok.writes).toEqual(['published e-1']);
    const down = harness(async () => Promise.reject(new Error('broker down')));
    await announceCreated(down.deps, execution, now);
    expect(down.writes).toEqual([]);
  });
});
