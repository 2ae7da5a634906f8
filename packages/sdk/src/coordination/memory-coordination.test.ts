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
