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
