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
});
