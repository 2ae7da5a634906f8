import { randomUUID } from 'node:crypto';
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
  const cache = new Map<string, { value: unknown; expires: number }>();
  const hits = new Map<string, number[]>();

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
    async cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      const hit = cache.get(key);
      if (hit && hit.expires > now()) return hit.value as T;
      const value = await load();
      cache.set(key, { value, expires: now() + ttlMs });
      return value;
    },
    async invalidate(key) {
      cache.delete(key);
    },
    async rateLimit(key, { limit, windowMs }) {
      const t = now();
      const list = (hits.get(key) ?? []).filter((at) => at > t - windowMs);
      if (list.length >= limit) {
        hits.set(key, list);
        return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, list[0]! + windowMs - t) };
      }
      list.push(t);
      hits.set(key, list);
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
