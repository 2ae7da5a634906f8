import { randomUUID } from 'node:crypto';
import { loadingCache } from './loading-cache.js';
import type { Coordination, CoordinationLock, LockAttempt } from './port.js';

/** Options of {@link memoryCoordination}. */
export interface MemoryCoordinationOptions {
  /** Clock in ms, for tests. @default Date.now */
  now?: () => number;
}

/**
 * The in-process coordination adapter: locks, cache and rate limits for one process (the
 * embedded default). Several cron systems in one process share nothing unless they share this
 * object.
 */
export function memoryCoordination(options: MemoryCoordinationOptions = {}): Coordination {
  const now = options.now ?? Date.now;
  const locks = new Map<string, { owner: string; expires: number }>();
  const cache = loadingCache(now);
  /** Hits per key, oldest first, with the window they were counted in (to forget idle keys). */
  const hits = new Map<string, { windowMs: number; at: number[] }>();
  let calls = 0;

  const makeLock = (resource: string, owner: string): CoordinationLock => ({
    resource,
    async extend(ttlMs) {
      const held = locks.get(resource);
      if (!held || held.owner !== owner || held.expires <= now()) return false;
      held.expires = now() + ttlMs;
      return true;
    },
    async release() {
      if (locks.get(resource)?.owner === owner) locks.delete(resource);
    },
  });

  return {
    async tryLock(resource, ttlMs): Promise<LockAttempt> {
      const held = locks.get(resource);
      if (held && held.expires > now()) return { status: 'busy' };
      const owner = randomUUID();
      locks.set(resource, { owner, expires: now() + ttlMs });
      return { status: 'acquired', lock: makeLock(resource, owner) };
    },
    cached: (key, ttlMs, load) => cache.get(key, ttlMs, load),
    async invalidate(key) {
      cache.delete(key);
    },
    async rateLimit(key, { limit, windowMs }) {
      const t = now();
      // Now and then, forget keys whose every hit has left its window (one key per client IP).
      if (++calls % 1_000 === 0) {
        for (const [k, v] of hits) {
          const last = v.at[v.at.length - 1];
          if (last === undefined || last <= t - v.windowMs) hits.delete(k);
        }
      }
      const list = (hits.get(key)?.at ?? []).filter((at) => at > t - windowMs);
      hits.set(key, { windowMs, at: list });
      if (list.length >= limit) return { allowed: false, remaining: 0, retryAfterMs: list.length ? Math.max(1, list[0]! + windowMs - t) : windowMs };
      list.push(t);
      return { allowed: true, remaining: limit - list.length, retryAfterMs: 0 };
    },
    async resetRateLimit(key) {
      hits.delete(key);
    },
    async close() {
      locks.clear();
      cache.clear();
      hits.clear();
    },
  };
}
