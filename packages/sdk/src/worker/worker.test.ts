import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';
import { createWorker } from './worker.js';
import type { WorkerDeps } from './runtime.js';

/** A worker over a storage that has only `warmUp` and a queue that records its consume calls. */
function rig(warmUp: () => Promise<void>) {
  const order: string[] = [];
  const queue = {
    consume: vi.fn(async (_h: unknown, { signal }: { signal: AbortSignal }) => {
      order.push('consume');
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    }),
  } as unknown as Queue & { consume: ReturnType<typeof vi.fn> };
  const storage = { warmUp: vi.fn(async () => { await warmUp(); order.push('warmed'); }) } as unknown as Storage;
  const logger = pino({ level: 'silent' });
  const warn = vi.spyOn(logger, 'warn');
  const worker = createWorker({
    storage, queue, logger, clock: { now: () => new Date(0) },
    settings: { workerId: 'w', concurrency: 1, leaseMs: 1_000, backoff: {}, filesDir: '.', defaultTimeZone: 'UTC', overlapRetryMs: 100 },
  } as unknown as WorkerDeps);
  return { worker, queue, storage, order, warn };
}

describe('worker start', () => {
  it('readies the storage before its first pull', async () => {
    let finish!: () => void;
    const { worker, queue, storage, order } = rig(() => new Promise<void>((r) => (finish = r)));
    const loop = worker.start();
    await vi.waitFor(() => expect(storage.warmUp).toHaveBeenCalledTimes(1));
    await Promise.resolve();
    expect(queue.consume).not.toHaveBeenCalled();
    finish();
    await vi.waitFor(() => expect(queue.consume).toHaveBeenCalledTimes(1));
    expect(order).toEqual(['warmed', 'consume']);
    await worker.stop(0);
    await loop;
  });

  it('consumes all the same when the warm-up fails, and says so', async () => {
    const { worker, queue, warn } = rig(async () => { throw new Error('database busy'); });
    const loop = worker.start();
    await vi.waitFor(() => expect(queue.consume).toHaveBeenCalledTimes(1));
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.objectContaining({ message: 'database busy' }) }), expect.stringMatching(/warm-up failed/));
    await worker.stop(0);
    await loop;
  });

  it('never pulls when stopped during the warm-up', async () => {
    let finish!: () => void;
    const { worker, queue } = rig(() => new Promise<void>((r) => (finish = r)));
    const loop = worker.start();
    const stopped = worker.stop(0);
    finish();
    await stopped;
    await loop;
    expect(queue.consume).not.toHaveBeenCalled();
  });
});
