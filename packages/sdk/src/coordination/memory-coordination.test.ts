import { describe, expect, it } from 'vitest';
import { memoryCoordination } from './memory-coordination.js';

describe('memoryCoordination rate limiter', () => {
  it('admits `limit` hits per sliding window and forgets a key on reset', async () => {
    let t = 0;
    const c = memoryCoordination({ now: () => t });
    const hit = () => c.rateLimit('login:ana', { limit: 2, windowMs: 1_000 });
    expect((await hit()).allowed).toBe(true);
    expect((await hit()).allowed).toBe(true);
    expect(await hit()).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 });
    t = 1_001;
    expect((await hit()).allowed).toBe(true);
    await hit();
    await c.resetRateLimit('login:ana');
    expect((await hit()).allowed).toBe(true);
    await c.close();
  });

  it('forgets idle keys now and then, each by its own window: a long window outlives many short ones', async () => {
    let t = 0;
    const c = memoryCoordination({ now: () => t });
    expect((await c.rateLimit('login:ana', { limit: 1, windowMs: 60_000 })).allowed).toBe(true);
    t = 2_000;
    for (let i = 0; i < 2_000; i++) await c.rateLimit(`ip:${i}`, { limit: 5, windowMs: 1_000 });
    expect(await c.rateLimit('login:ana', { limit: 1, windowMs: 60_000 })).toEqual({ allowed: false, remaining: 0, retryAfterMs: 58_000 });
    expect(await c.rateLimit('none', { limit: 0, windowMs: 1_000 })).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 });
    await c.close();
  });
});

describe('memoryCoordination cache', () => {
  it('concurrent misses of one key share one load (a worker starting 100 executions of a job reads the job once)', async () => {
    const c = memoryCoordination();
    let loads = 0;
    const load = async (): Promise<number> => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return loads;
    };
    const values = await Promise.all(Array.from({ length: 100 }, () => c.cached('job:1', 60_000, load)));
    expect(loads).toBe(1);
    expect(new Set(values)).toEqual(new Set([1]));
    await c.close();
  });
});
