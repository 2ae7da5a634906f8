/** Result of one {@link RateLimiter.hit}. */
export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until the oldest hit leaves the window. */
  retryAfterMs: number;
}

/** A sliding-window limiter keyed by string (per IP, per user, per job). */
export interface RateLimiter {
  hit(key: string, max: number, windowMs: number): Promise<RateDecision>;
  /** Forgets a key (e.g. a successful login clears the user's failures). */
  reset(key: string): Promise<void>;
}

/**
 * In-process sliding-window log. Exact within one process; in distributed mode the server uses
 * the Redis limiter of `@vecron/sdk/redis` instead so replicas share the window.
 */
export function memoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const hits = new Map<string, number[]>();
  let calls = 0;
  return {
    async hit(key, max, windowMs) {
      const t = now();
      const list = (hits.get(key) ?? []).filter((x) => x > t - windowMs);
      if (++calls % 1_000 === 0) {
        for (const [k, v] of hits) if (!v.some((x) => x > t - windowMs)) hits.delete(k);
      }
      if (list.length >= max) {
        hits.set(key, list);
        return { allowed: false, retryAfterMs: Math.max(1, list[0]! + windowMs - t) };
      }
      list.push(t);
      hits.set(key, list);
      return { allowed: true, retryAfterMs: 0 };
    },
    async reset(key) {
      hits.delete(key);
    },
  };
}

/** What {@link redisRateLimiter} needs of `@vecron/sdk/redis`'s coordination adapter. */
export interface RedisLimiterBackend {
  rateLimit(key: string, args: { limit: number; windowMs: number }): Promise<{ allowed: boolean; retryAfterMs: number }>;
  resetRateLimit(key: string): Promise<void>;
}

/**
 * Sliding-window limiter shared by every api process through Redis (`coordination.rateLimit`:
 * a sorted set per key, updated atomically by a Lua script on Redis's clock). Keys are
 * `{keyPrefix}rate:{key}`. While Redis cannot answer, hits fall back to a per-process
 * in-memory window, so limits still hold per process instead of failing open.
 */
export function redisRateLimiter(backend: RedisLimiterBackend, options: { keyPrefix: string; logger?: { warn(obj: object, msg: string): void } }): RateLimiter {
  const fallback = memoryRateLimiter();
  let lastWarn = 0;
  const warn = (err: unknown): void => {
    const now = Date.now();
    if (now - lastWarn < 5_000) return;
    lastWarn = now;
    options.logger?.warn({ err: { message: (err as Error)?.message ?? String(err) } }, 'Redis rate limiter unavailable; limiting per process until it is back');
  };
  return {
    async hit(key, max, windowMs) {
      try {
        const r = await backend.rateLimit(key, { limit: max, windowMs });
        return { allowed: r.allowed, retryAfterMs: r.allowed ? 0 : Math.max(1, r.retryAfterMs) };
      } catch (err) {
        warn(err);
        return fallback.hit(key, max, windowMs);
      }
    },
    async reset(key) {
      await fallback.reset(key);
      try {
        await backend.resetRateLimit(key);
      } catch (err) {
        warn(err);
      }
    },
  };
}
