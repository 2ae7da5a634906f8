import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { memoryCoordination } from '../coordination/memory-coordination.js';
import type { Coordination } from '../coordination/port.js';
import { createEventBus } from '../events.js';
import { createBackgroundLoop, createLeadership } from './background-loop.js';

const quiet = pino({ level: 'silent' });

describe('background loop', () => {
  it('runs one loop however often started; stop aborts its signal and waits for the pass in flight', async () => {
    const loop = createBackgroundLoop({ intervalMs: 10, logger: quiet, events: createEventBus(() => undefined), where: 'test', failure: 'failed' });
    let passes = 0;
    let inPass = false;
    let release!: () => void;
    const entered = new Promise<void>((resolve) => {
      loop.start(async () => {
        passes++;
        inPass = true;
        resolve();
        await new Promise<void>((r) => (release = r));
        inPass = false;
      });
    });
    loop.start(async () => void (passes += 100));
    await entered;
    const stopped = loop.stop();
    expect(loop.signal.aborted).toBe(true);
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // still waiting for the pass in flight
    release();
    await stopped;
    expect(inPass).toBe(false);
    expect(passes).toBe(1);
  });

  it('a failing pass is logged and emitted as an error with its place, and the loop goes on', async () => {
    const lines: Array<{ msg: string }> = [];
    const logger = pino({ level: 'error' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const errors: Array<{ where: string; error: unknown }> = [];
    const events = createEventBus(() => undefined);
    events.on('error', (e) => errors.push(e));
    const loop = createBackgroundLoop({ intervalMs: 1, logger, events, where: 'dispatcher', failure: 'dispatch failed; retrying' });
    let passes = 0;
    await new Promise<void>((resolve) => {
      loop.start(async () => {
        if (++passes === 3) resolve();
        if (passes <= 2) throw new Error(`boom ${passes}`);
      });
    });
    await loop.stop();
    expect(errors.map((e) => [e.where, (e.error as Error).message])).toEqual([['dispatcher', 'boom 1'], ['dispatcher', 'boom 2']]);
    expect(lines.map((l) => l.msg)).toEqual(['dispatch failed; retrying', 'dispatch failed; retrying']);
  });
});

describe('leadership', () => {
  it('without coordination every process leads', async () => {
    expect(await createLeadership(undefined, 'housekeeping:x', 1_000).isLeader()).toBe(true);
  });

  it('one holder at a time; the holder keeps it across passes; release hands it over', async () => {
    const coordination = memoryCoordination();
    const a = createLeadership(coordination, 'housekeeping:x', 60_000);
    const b = createLeadership(coordination, 'housekeeping:x', 60_000);
    expect(await a.isLeader()).toBe(true);
    expect(await b.isLeader()).toBe(false);
    expect(await a.isLeader()).toBe(true);
    await a.release();
    expect(await b.isLeader()).toBe(true);
    expect(await a.isLeader()).toBe(false);
    await b.release();
    await coordination.close();
  });

  it('a coordination that cannot answer lets every process run', async () => {
    const down = { tryLock: async () => ({ status: 'unavailable', error: new Error('down') }) } as unknown as Coordination;
    expect(await createLeadership(down, 'housekeeping:x', 1_000).isLeader()).toBe(true);
  });
});
