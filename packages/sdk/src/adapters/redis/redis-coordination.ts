import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { pino } from 'pino';
import Redlock from 'redlock';
import type { ExecutionError, Lock } from 'redlock';
import { ConfigError, VecronError } from '../../errors/errors.js';
import { describeServer } from '../../internal/server-url.js';
import type { Coordination, CoordinationLock, LockAttempt } from '../../coordination/port.js';
import { SLIDING_WINDOW_LUA } from './rate-limit-script.js';

const isResourceLocked = (e: unknown): boolean => (e as Error)?.name === 'ResourceLockedError';

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
  const commandTimeout = options.commandTimeoutMs ?? 2_000;
  const base: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    // Reconnect only when a failover turned our node into a replica. Error replies are normal
    // traffic otherwise: Redlock's first EVALSHA on a fresh server answers NOSCRIPT, and
    // reconnecting on that used to drop the connection under every later command.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
  const ownClient = !options.client;
  const client = options.client ?? new Redis(options.url!, base);
  const sub = options.client ? options.client.duplicate(base) : new Redis(options.url!, base);
  const channel = `${prefix}cache:invalidate`;

  const server = describeServer(options.url ?? `redis://${client.options.host ?? '127.0.0.1'}:${client.options.port ?? 6379}`);
  let downSince = 0;
  let lastError: Error | null = null;
  let closed = false;
  const onError = (which: string) => (err: Error) => {
    lastError = err;
    const now = Date.now();
    if (!downSince || now - downSince > 5_000) {
      logger.error({ err: { message: err.message }, connection: which, server }, `Redis unavailable (${server}); locks fall back to storage checks, reconnecting`);
      downSince = now;
    }
  };
  client.on('error', onError('commands'));
  sub.on('error', onError('pub/sub'));
  client.on('ready', () => {
    if (downSince) logger.info('Redis reconnected');
    downSince = 0;
  });

  const cache = new Map<string, { value: unknown; expires: number }>();
  sub.on('ready', () => {
    // Invalidations sent while we were disconnected are lost: start from an empty cache.
    cache.clear();
    sub.subscribe(channel).catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'Redis subscribe failed'));
  });
  sub.on('message', (ch: string, key: string) => {
    if (ch === channel) cache.delete(key);
  });

  const redlock = new Redlock([client], { retryCount: 0, driftFactor: 0.01, automaticExtensionThreshold: 500 });
  redlock.on('error', (err: Error) => {
    if (!isResourceLocked(err)) logger.debug({ err: { message: err.message } }, 'redlock error');
  });

  const makeLock = (resource: string, initial: Lock): CoordinationLock => {
    let lock: Lock | null = initial;
    return {
      resource,
      async extend(ttlMs) {
        if (!lock) return false;
        try {
          lock = await lock.extend(ttlMs);
          return true;
        } catch (err) {
          logger.debug({ err: { message: (err as Error).message }, resource }, 'lock extension refused');
          return false;
        }
      },
      async release() {
        const l = lock;
        lock = null;
        if (l) await l.release().catch(() => undefined);
      },
    };
  };

  const coordination: RedisCoordination = {
    client,

    async tryLock(resource, ttlMs): Promise<LockAttempt> {
      if (client.status !== 'ready') return { status: 'unavailable', error: new Error(`Redis is ${client.status}`) };
      try {
        const lock = await redlock.acquire([`${prefix}lock:${resource}`], ttlMs);
        return { status: 'acquired', lock: makeLock(resource, lock) };
      } catch (err) {
        // Checked by name: a bundler or test runner may load redlock twice, breaking instanceof.
        const attempts = (err as Partial<ExecutionError>).attempts;
        if (Array.isArray(attempts)) {
          const stats = await Promise.all(attempts).catch(() => []);
          const against = stats.flatMap((s) => [...s.votesAgainst.values()]);
          if (against.length > 0 && against.every(isResourceLocked)) return { status: 'busy' };
        }
        return { status: 'unavailable', error: err };
      }
    },

    async cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      const hit = cache.get(key);
      if (hit && hit.expires > Date.now()) return hit.value as T;
      const value = await load();
      cache.set(key, { value, expires: Date.now() + ttlMs });
      return value;
    },

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
      const fail = (cause: unknown): VecronError =>
        new VecronError('COORDINATION_UNAVAILABLE', `Redis at ${server} unreachable: ${(cause as Error)?.message ?? String(cause)}`, { cause, retryable: true, details: { server } });
      if (closed) throw fail(new Error('coordination closed'));
      if (client.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          const done = (): void => {
            client.off('ready', onReady);
            signal.removeEventListener('abort', onAbort);
          };
          const onReady = (): void => {
            done();
            resolve();
          };
          const onAbort = (): void => {
            done();
            reject(fail(lastError ?? new Error(`no connection within the start deadline (status ${client.status})`)));
          };
          client.once('ready', onReady);
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        });
      }
      try {
        await client.ping();
      } catch (err) {
        throw fail(err);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      cache.clear();
      sub.disconnect();
      if (ownClient) client.disconnect();
    },
  };
  return coordination;
}
