import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { VecronError } from '../../errors/errors.js';
import { describeServer } from '../../internal/server-url.js';

/** The two connections of {@link redisCoordination} (commands, pub/sub) and their health. */
export interface RedisConnection {
  readonly client: Redis;
  readonly sub: Redis;
  /** Whether `client` is the adapter's own (disconnected on close). */
  readonly ownClient: boolean;
  /** The server, without credentials, for messages. */
  readonly server: string;
  /** The last connection error seen, or null. */
  lastError(): Error | null;
}

/**
 * Opens (or duplicates) the connections: commands fail fast instead of queueing while Redis is
 * down, the client reconnects forever, and outages are logged at most every 5 s.
 * See docs/architecture.md#coordination.
 */
export function connectRedis(options: { url?: string; client?: Redis; commandTimeoutMs?: number }, logger: Logger): RedisConnection {
  const base: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    // Reconnect only when a failover turned our node into a replica. Error replies are normal
    // traffic otherwise: Redlock's first EVALSHA on a fresh server answers NOSCRIPT, and
    // reconnecting on that used to drop the connection under every later command.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
  const client = options.client ?? new Redis(options.url!, base);
  const sub = options.client ? options.client.duplicate(base) : new Redis(options.url!, base);
  const server = describeServer(options.url ?? `redis://${client.options.host ?? '127.0.0.1'}:${client.options.port ?? 6379}`);
  let downSince = 0;
  let lastError: Error | null = null;
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
  return { client, sub, ownClient: !options.client, server, lastError: () => lastError };
}

/** A `COORDINATION_UNAVAILABLE` error naming the server. */
export function redisUnavailable(conn: RedisConnection, cause: unknown): VecronError {
  return new VecronError('COORDINATION_UNAVAILABLE', `Redis at ${conn.server} unreachable: ${(cause as Error)?.message ?? String(cause)}`, { cause, retryable: true, details: { server: conn.server } });
}

/** `Coordination.check`: waits for the connection (until `signal` aborts), then one `PING`. */
export async function checkRedis(conn: RedisConnection, signal: AbortSignal): Promise<void> {
  const { client } = conn;
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
        reject(redisUnavailable(conn, conn.lastError() ?? new Error(`no connection within the start deadline (status ${client.status})`)));
      };
      client.once('ready', onReady);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  try {
    await client.ping();
  } catch (err) {
    throw redisUnavailable(conn, err);
  }
}
