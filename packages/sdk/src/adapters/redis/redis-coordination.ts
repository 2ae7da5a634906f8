import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ConfigError } from '../../errors/errors.js';
import { loadingCache } from '../../coordination/loading-cache.js';
import type { LoadingCache } from '../../coordination/loading-cache.js';
import type { Coordination, LockAttempt } from '../../coordination/port.js';
import { SLIDING_WINDOW_LUA } from './rate-limit-script.js';
import { checkRedis, connectRedis, redisUnavailable } from './redis-connection.js';
import { createRedlock, tryRedisLock } from './redis-locks.js';

/** Options of {@link redisCoordination}. Give `url` or `client`. */
export interface RedisCoordinationOptions {
  /** `redis://host:port/db`. Ignored when `client` is given. */
  url?: string;
  /** An existing ioredis client; vecron duplicates it for pub/sub and does not quit it. */
  client?: Redis;
  /** Prefix of every key and channel, so deployments (and tests) can share a server. @default 'vecron:' */
  keyPrefix?: string;
  /** Where connection state and errors are logged. @default silent */
  logger?: Logger;
  /** How long a command may wait for Redis before counting as unavailable, in ms. @default 2000 */
  commandTimeoutMs?: number;
}

/** The Redis coordination adapter, with its client for diagnostics. */
export interface RedisCoordination extends Coordination {
  readonly client: Redis;
}

/**
 * Coordination on Redis (docs/architecture.md#coordination): Redlock locks (for `allow_concurrent: false` and
 * housekeeping leadership), a local cache invalidated across processes by pub/sub, and an
 * atomic sliding-window rate limiter (sorted set + Lua).
 *
 * Redis makes vecron fast, never correct: a lock only saves a database round trip, the
 * database claim with its fencing token is the real guard. While Redis is down, locks report
 * `unavailable` (callers then rely on PostgreSQL), invalidations fall back to the cache TTL, and
 * the client reconnects forever without crashing (commands fail fast instead of queueing).
 *
 * @example
 * ```ts
 * const coordination = redisCoordination({ url: 'redis://127.0.0.1:6379', keyPrefix: 'vecron:prod:' });
 * ```
 */
export function redisCoordination(options: RedisCoordinationOptions): RedisCoordination {
  if (!options.client && !options.url) throw new ConfigError('redisCoordination options', [{ path: '$.url', message: 'give url or client' }]);
  const prefix = options.keyPrefix ?? 'vecron:';
  const logger = options.logger ?? pino({ level: 'silent' });
  const conn = connectRedis(options, logger);
  const { client } = conn;
  const channel = `${prefix}cache:invalidate`;
  let closed = false;
  const cache = invalidatedCache(conn.sub, channel, logger);
  const redlock = createRedlock(client, logger);
  return {
    client,
    tryLock: (resource, ttlMs): Promise<LockAttempt> => tryRedisLock({ client, redlock, logger, prefix }, resource, ttlMs),
    cached: (key, ttlMs, load) => cache.get(key, ttlMs, load),
    async invalidate(key) {
      cache.delete(key);
      try {
        await client.publish(channel, key);
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message }, key }, 'cache invalidation not broadcast (Redis down); other processes refresh after the cache TTL');
      }
    },
    async rateLimit(key, { limit, windowMs }) {
      const r = (await client.eval(SLIDING_WINDOW_LUA, 1, `${prefix}rate:${key}`, String(windowMs), String(limit), randomUUID())) as [number, number, number];
      return { allowed: r[0] === 1, remaining: Number(r[1]), retryAfterMs: Number(r[2]) };
    },
    async resetRateLimit(key) {
      await client.del(`${prefix}rate:${key}`);
    },
    async check({ signal }) {
      if (closed) throw redisUnavailable(conn, new Error('coordination closed'));
      await checkRedis(conn, signal);
    },
    async close() {
      if (closed) return;
      closed = true;
      cache.clear();
      conn.sub.disconnect();
      if (conn.ownClient) client.disconnect();
    },
  };
}

/**
 * This process's cache, emptied of a key when any process publishes it on `channel`, and emptied
 * whole on every (re)connection of `sub` (invalidations sent meanwhile are lost).
 */
function invalidatedCache(sub: Redis, channel: string, logger: Logger): LoadingCache {
  const cache = loadingCache();
  sub.on('ready', () => {
    // Invalidations sent while we were disconnected are lost: start from an empty cache.
    cache.clear();
    sub.subscribe(channel).catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'Redis subscribe failed'));
  });
  sub.on('message', (ch: string, key: string) => {
    if (ch === channel) cache.delete(key);
  });
  return cache;
}
