import { memoryCoordination } from '@vecron/sdk';
import type { Coordination } from '@vecron/sdk';

/** Result of one {@link RateLimiter.hit}. */
export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until the oldest hit leaves the window. */
  retryAfterMs: number;
}

/**
 * A sliding-window limiter keyed by string (per IP, per user, per job): the server's view of the
 * coordination port's rate limit (`Coordination.rateLimit`), which holds the one implementation
 * (in-process in `memoryCoordination`, a Lua script in `redisCoordination`).
 */
export interface RateLimiter {
  hit(key: string, max: number, windowMs: number): Promise<RateDecision>;
  /** Forgets a key (e.g. a successful login clears the user's failures). */
  reset(key: string): Promise<void>;
}

/** What the limiter needs of a coordination adapter. */
export type RedisLimiterBackend = Pick<Coordination, 'rateLimit' | 'resetRateLimit'>;

function limiterOn(backend: RedisLimiterBackend): RateLimiter {
  return {
    async hit(key, max, windowMs) {
      const r = await backend.rateLimit(key, { limit: max, windowMs });
      return { allowed: r.allowed, retryAfterMs: r.allowed ? 0 : Math.max(1, r.retryAfterMs) };
    },
    reset: (key) => backend.resetRateLimit(key),
  };
}

/** The limiter of one process (embedded mode): `memoryCoordination`'s sliding window. */
export function memoryRateLimiter(now: () => number = Date.now): RateLimiter {
  return limiterOn(memoryCoordination({ now }));
}

/**
 * Sliding-window limiter shared by every api process through Redis (`coordination.rateLimit`:
 * a sorted set per key, updated atomically by a Lua script on Redis's clock). While Redis cannot
 * answer, hits fall back to a per-process in-memory window, so limits still hold per process
 * instead of failing open. `keyPrefix` is the coordination adapter's (it prefixes the keys itself).
 */
export function redisRateLimiter(backend: RedisLimiterBackend, options: { keyPrefix: string; logger?: { warn(obj: object, msg: string): void } }): RateLimiter {
  const shared = limiterOn(backend);
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
        return await shared.hit(key, max, windowMs);
      } catch (err) {
        warn(err);
        return fallback.hit(key, max, windowMs);
      }
    },
    async reset(key) {
      await fallback.reset(key);
      try {
        await shared.reset(key);
      } catch (err) {
        warn(err);
      }
    },
  };
}
