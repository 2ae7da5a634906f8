import { afterEach, describe, expect, it } from 'vitest';
import type { Coordination, LockAttempt } from '../coordination/port.js';
import { until } from './poll.js';

/** Options of {@link describeCoordination}. */
export interface CoordinationConformanceOptions {
  /** A fresh coordination per test, sharing nothing with earlier tests (a new key prefix, say). */
  create: () => Promise<Coordination>;
  /**
   * A second instance on the same backend as `c` (another process's view: same server, same key
   * prefix). In-process adapters that share state only through one object return `c` itself.
   */
  peer: (c: Coordination) => Promise<Coordination>;
  /** How long a cross-instance cache invalidation may take to arrive, ms. @default 2000 */
  invalidationTimeoutMs?: number;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function acquired(a: LockAttempt): Extract<LockAttempt, { status: 'acquired' }> {
  expect(a.status, a.status === 'unavailable' ? `unavailable: ${String(a.error)}` : a.status).toBe('acquired');
  return a as Extract<LockAttempt, { status: 'acquired' }>;
}

/**
 * The conformance suite every coordination adapter runs (in-process, Redis, third-party): locks
 * that are exclusive across instances until released or expired, whose extension and release
 * never touch a later holder's lock; a cache that loads once per TTL and drops a key in every
 * instance on `invalidate`; a sliding-window rate limiter that admits exactly `limit` hits, also
 * when hit concurrently from two instances, and forgets one key on reset; an idempotent `close`.
 * Coordination is never what makes vecron correct (docs/architecture.md#coordination), but the
 * scheduler's `allow_concurrent: false` fast path, webhook rate limits and the job cache rely on
 * these behaviours.
 *
 * @example
 * ```ts
 * import { describeCoordination } from '@vecron/sdk/testing';
 * describeCoordination('in-process', { create: async () => memoryCoordination(), peer: async (c) => c });
 * ```
 */
export function describeCoordination(name: string, options: CoordinationConformanceOptions): void {
  describe(`coordination conformance: ${name}`, () => {
    const opened: Coordination[] = [];
    const open = async (): Promise<[Coordination, Coordination]> => {
      const c = await options.create();
      const p = await options.peer(c);
      opened.push(c, p);
      return [c, p];
    };
    afterEach(async () => {
      for (const c of opened.splice(0)) await c.close();
    });

    const ctx: SuiteContext = { open, invalidationTimeoutMs: options.invalidationTimeoutMs ?? 2_000 };
    lockCases(ctx);
    cacheCases(ctx);
    rateLimitCases(ctx);
    it('close is idempotent', async () => {
      const c = await options.create();
      await c.close();
      await c.close();
    });
  });
}

/** What each section of the suite uses: a fresh pair of instances (closed after the test). */
interface SuiteContext {
  open(): Promise<[Coordination, Coordination]>;
  invalidationTimeoutMs: number;
}

/** Locks: exclusive across instances, raced, extended, expired. */
function lockCases({ open }: SuiteContext): void {
  it('a lock is exclusive across instances until released, then free for the next', async () => {
    const [a, b] = await open();
    const held = acquired(await a.tryLock('job:1', 5_000));
    expect(held.lock.resource).toBe('job:1');
    expect((await b.tryLock('job:1', 5_000)).status).toBe('busy');
    expect((await a.tryLock('job:1', 5_000)).status).toBe('busy');
    // Another resource is independent.
    acquired(await b.tryLock('job:2', 5_000));
    await held.lock.release();
    await held.lock.release(); // idempotent
    acquired(await b.tryLock('job:1', 5_000));
  });

  it('two instances racing for one lock: exactly one acquires it', async () => {
    const [a, b] = await open();
    for (let i = 0; i < 5; i++) {
      const results = await Promise.all([a.tryLock(`race:${i}`, 5_000), b.tryLock(`race:${i}`, 5_000)]);
      expect(results.map((r) => r.status).sort()).toEqual(['acquired', 'busy']);
    }
  });

  it('an extended lock outlives its first TTL; an expired one is free, and its stale holder can neither extend nor release the new holder\'s lock', async () => {
    const [a, b] = await open();
    const first = acquired(await a.tryLock('job:ttl', 300));
    expect(await first.lock.extend(1_500)).toBe(true);
    await pause(450);
    expect((await b.tryLock('job:ttl', 300)).status).toBe('busy');
    await first.lock.release();

    const stale = acquired(await a.tryLock('job:ttl', 200));
    await pause(350);
    const next = acquired(await b.tryLock('job:ttl', 5_000));
    expect(await stale.lock.extend(5_000)).toBe(false);
    await stale.lock.release();
    expect((await a.tryLock('job:ttl', 5_000)).status).toBe('busy');
    expect(await next.lock.extend(5_000)).toBe(true);
    await next.lock.release();
    expect(await next.lock.extend(5_000)).toBe(false);
  });
}

/** The cache: loads once per TTL, expires, invalidated across instances. */
function cacheCases(ctx: SuiteContext): void {
  const { open } = ctx;
  it('cached loads once per TTL and per key; invalidate in one instance drops the key in the other', async () => {
    const [a, b] = await open();
    let loads = 0;
    let version = 1;
    const load = async (): Promise<number> => {
      loads++;
      return version;
    };
    expect(await b.cached('job:x', 60_000, load)).toBe(1);
    version = 2;
    expect(await b.cached('job:x', 60_000, load)).toBe(1);
    expect(loads).toBe(1);
    expect(await b.cached('job:y', 60_000, load)).toBe(2);
    expect(loads).toBe(2);
    await a.invalidate('job:x');
    await until(async () => (await b.cached('job:x', 60_000, load)) === 2, { timeoutMs: ctx.invalidationTimeoutMs, what: 'the invalidation to reach the other instance' });
    // Only the invalidated key was dropped.
    version = 3;
    expect(await b.cached('job:y', 60_000, load)).toBe(2);
  });

  it('a cached value expires after its TTL; a load that throws caches nothing and rejects with its error', async () => {
    const [a] = await open();
    let version = 1;
    expect(await a.cached('short', 150, async () => version)).toBe(1);
    version = 2;
    await pause(250);
    expect(await a.cached('short', 150, async () => version)).toBe(2);
    const boom = new Error('loader failed');
    await expect(a.cached('bad', 60_000, async () => {
      throw boom;
    })).rejects.toBe(boom);
    expect(await a.cached('bad', 60_000, async () => 'ok')).toBe('ok');
  });
}

/** The sliding-window rate limiter and its reset. */
function rateLimitCases({ open }: SuiteContext): void {
  it('the sliding-window limiter admits exactly `limit` hits per window, also when two instances hit it at once', async () => {
    const [a, b] = await open();
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).rateLimit('hook:1', { limit: 10, windowMs: 1_000 })));
    const allowed = results.filter((r) => r.allowed);
    expect(allowed.length).toBe(10);
    expect(allowed.map((r) => r.remaining).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const r of results.filter((x) => !x.allowed)) {
      expect(r.remaining).toBe(0);
      expect(r.retryAfterMs).toBeGreaterThan(0);
      expect(r.retryAfterMs).toBeLessThanOrEqual(1_000);
    }
    expect(allowed.every((r) => r.retryAfterMs === 0)).toBe(true);
    // Other keys have their own window.
    expect((await a.rateLimit('hook:2', { limit: 1, windowMs: 1_000 })).allowed).toBe(true);
    await pause(1_100);
    expect((await b.rateLimit('hook:1', { limit: 10, windowMs: 1_000 })).allowed).toBe(true);
  });

  it('resetRateLimit forgets the hits of a key in every instance, and only of that key', async () => {
    const [a, b] = await open();
    for (let i = 0; i < 3; i++) await a.rateLimit('login:ana', { limit: 3, windowMs: 60_000 });
    await a.rateLimit('login:binh', { limit: 1, windowMs: 60_000 });
    expect((await b.rateLimit('login:ana', { limit: 3, windowMs: 60_000 })).allowed).toBe(false);
    await b.resetRateLimit('login:ana');
    expect((await a.rateLimit('login:ana', { limit: 3, windowMs: 60_000 })).allowed).toBe(true);
    expect((await a.rateLimit('login:binh', { limit: 1, windowMs: 60_000 })).allowed).toBe(false);
  });
}
