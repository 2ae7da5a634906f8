import path from 'node:path';
import { createCronSystem, ConfigError, embeddedStorage } from '@vecron/sdk';
import type { AnyExecutor, Clock, CronSystem, CronSystemOptions, Queue, RetentionOptions, Storage } from '@vecron/sdk';
import type { SecretBox, SecretBoxKeys } from '@vecron/sdk/crypto';
import type { NatsQueue } from '@vecron/sdk/nats';
import type * as NatsAdapter from '@vecron/sdk/nats';
import type * as PostgresAdapter from '@vecron/sdk/postgres';
import type * as RedisAdapter from '@vecron/sdk/redis';
import type { RedisCoordination } from '@vecron/sdk/redis';
import { dbExecutor, missingDrivers } from '@vecron/executor-db';
import { fileExecutor } from '@vecron/executor-file';
import { httpExecutor } from '@vecron/executor-http';
import { sftpExecutor } from '@vecron/executor-sftp';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config-schema.js';
import { isEmbedded, resolveEncryptionKeys } from './keys.js';

type PostgresModule = typeof PostgresAdapter;
type NatsModule = typeof NatsAdapter;
type RedisModule = typeof RedisAdapter;

/**
 * The distributed adapters live in subpath exports whose drivers (`pg`, `@nats-io/*`, `ioredis`)
 * are optional peer dependencies: a missing one is a configuration error naming the key.
 */
async function loadAdapter<T>(specifier: string, configKey: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (cause) {
    throw new ConfigError('server configuration', [{ path: configKey, message: `needs ${specifier}, which cannot be loaded (install its driver): ${(cause as Error).message}` }], { cause });
  }
}

/** What {@link buildCronSystem} made. */
export interface BuiltSystem {
  cron: CronSystem;
  /**
   * The storage the system runs on (embedded or PostgreSQL), opened and migrated: the server
   * reads core data through its port methods and attaches its own tables with `attachSchema`.
   * `cron.stop()` closes it.
   */
  storage: Storage;
  /** Optional extra dependency checks for `/ready` (queue, coordination). */
  checks: Record<string, () => Promise<void>>;
  /** The NATS queue, in distributed mode (its connection also carries the event bridge). */
  natsQueue: NatsQueue | null;
  /**
   * The work queue in use when it is not in-process: the NATS queue, or the PostgreSQL queue when
   * `storage.database_url` is set without `queue.nats_servers`.
   */
  queue: Queue | null;
  /** The Redis coordination adapter, when `coordination.redis_url` is set. */
  coordination: RedisCoordination | null;
  /** The executors the system runs (the dashboard's job editor draws their config forms). */
  executors: AnyExecutor[];
  /** Closes adapter resources that `cron.stop()` does not own. */
  close(): Promise<void>;
}

/** The built-in executors the server registers, configured from `[executors]`. */
export function defaultExecutors(config: ServerConfig): AnyExecutor[] {
  const x = config.executors;
  const connections = Object.fromEntries(Object.entries(x.database_connections).map(([name, c]) => [name, {
    database_type: c.database_type,
    connection_string: c.connection_string,
    ...(c.pool_max ? { pool: { max: c.pool_max } } : {}),
    ...(c.statement_timeout_ms ? { statement_timeout_ms: c.statement_timeout_ms } : {}),
  }]));
  return [
    httpExecutor({ blockPrivateAddresses: x.block_private_addresses, allowHosts: x.allow_hosts }) as AnyExecutor,
    dbExecutor({ connections, blockPrivateAddresses: x.block_private_addresses, allowHosts: x.allow_hosts }) as unknown as AnyExecutor,
    fileExecutor({ allowedRoots: x.file_allowed_roots }) as AnyExecutor,
    sftpExecutor({ privateKeyDirs: x.sftp_private_key_dirs, knownHosts: x.sftp_known_hosts, blockPrivateAddresses: x.block_private_addresses, allowHosts: x.allow_hosts }) as AnyExecutor,
  ];
}

/**
 * Start-up check of the drivers the named database connections need (`mysql2`, `oracledb` are
 * optional packages): a missing one is a ConfigError naming the connection, not a failed step at 2 a.m.
 */
export async function checkConnectionDrivers(config: ServerConfig, importer?: (specifier: string) => Promise<unknown>): Promise<void> {
  const entries = Object.entries(config.executors.database_connections);
  const missing = await missingDrivers(entries.map(([, c]) => c.database_type), importer);
  if (!missing.length) return;
  throw new ConfigError('server configuration', entries.flatMap(([name, c]) => {
    const m = missing.find((d) => d.databaseType === c.database_type);
    return m ? [{ path: `$.executors.database_connections.${name}.database_type`, message: `"${c.database_type}" needs the ${m.package} package, which this server cannot load: install it next to @vecron/server (npm install ${m.package}) or use an image that has it` }] : [];
  }));
}

/**
 * Creates the cron system the configuration describes: embedded PGlite + in-process queue when
 * no database is configured, PostgreSQL / NATS / Redis adapters otherwise. A database without
 * NATS uses the PostgreSQL queue (a table in the same schema), so the roles can still run as
 * separate processes with PostgreSQL alone.
 */
export async function buildCronSystem(config: ServerConfig, args: { logger: Logger; executors?: AnyExecutor[]; encryptionKeys?: SecretBoxKeys; secretBox?: SecretBox; workerId?: string }): Promise<BuiltSystem> {
  if (!args.executors) await checkConnectionDrivers(config);
  const checks: Record<string, () => Promise<void>> = {};
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
  };
  let storage: Storage | undefined;
  let clock: Clock | undefined;
  let queue: NatsQueue | null = null;
  let pgQueue: Queue | null = null;
  let coordination: RedisCoordination | null = null;
  const log = (component: string): Logger => args.logger.child({ component });

  let pgMod: PostgresModule | null = null;
  try {
    if (!isEmbedded(config)) {
      pgMod = await loadAdapter<PostgresModule>('@vecron/sdk/postgres', '$.storage.database_url');
      // Opened here (migrations run under an advisory lock) so the database clock can use it.
      const pgStorage = await pgMod.postgresStorage({
        connectionString: config.storage.database_url, schema: config.storage.schema, logger: log('postgres'),
        poolMax: config.storage.pool_max, statementTimeoutMs: config.storage.statement_timeout_ms,
        preparedStatements: config.storage.prepared_statements,
      });
      storage = pgStorage;
      const dbClock = await pgMod.databaseClock(pgStorage, { logger: log('clock') });
      clock = dbClock;
      closers.push(async () => dbClock.close());
    }
    if (config.queue.nats_servers) {
      const natsMod = await loadAdapter<NatsModule>('@vecron/sdk/nats', '$.queue.nats_servers');
      const st = storage;
      const q = natsMod.natsQueue({
        servers: config.queue.nats_servers.split(',').map((s) => s.trim()),
        stream: config.queue.stream,
        subject: config.queue.subject,
        consumer: config.queue.consumer,
        ackWaitMs: config.queue.ack_wait_ms,
        maxDeliver: config.queue.max_deliver,
        duplicateWindowMs: config.queue.duplicate_window_ms,
        logger: log('nats'),
        ...(st ? { onDeadLetter: async (id: string) => void (await natsMod.markDeadLetter(st, id, clock ? { clock } : {})) } : {}),
      });
      queue = q;
      // A round trip to the server: a connection that is reconnecting does not answer.
      checks.nats = async () => void (await (await q.ready()).flush());
    } else if (pgMod && storage) {
      const st = storage;
      const mod = pgMod;
      // Its own small pool: one connection LISTENs for the whole process, so it must not come from
      // a transaction-mode pooler, and the storage's pool stays for the storage.
      const q = mod.postgresQueue({
        connectionString: config.storage.database_url, schema: config.storage.schema, logger: log('postgres-queue'),
        preparedStatements: config.storage.prepared_statements,
        onDeadLetter: async (id: string) => void (await mod.markDeadLetter(st, id, clock ? { clock } : {})),
      });
      await q.ready();
      pgQueue = q;
      checks.queue = async () => await q.check({ signal: AbortSignal.timeout(5_000) });
      args.logger.info('database_url set without queue.nats_servers: the work queue is in PostgreSQL; live events (SSE) reach only the process that emits them');
    }
    if (config.coordination.redis_url) coordination = await openCoordination(config.coordination.redis_url, config.coordination.key_prefix, log('redis'), checks, closers);
    // The embedded store, opened here (not lazily by the cron system) so the server holds it.
    storage ??= await embeddedStorage(config.storage.data_dir ? { dataDir: config.storage.data_dir } : {});
  } catch (err) {
    await close();
    if (queue) await queue.close().catch(() => undefined);
    if (pgQueue) await pgQueue.close().catch(() => undefined);
    if (storage) await storage.close().catch(() => undefined);
    throw err;
  }

  const executors = args.executors ?? defaultExecutors(config);
  const options = cronOptionsOf(config, args, executors, { storage, clock, queue: queue ?? pgQueue, coordination });
  const cron = createCronSystem(options as CronSystemOptions);
  return { cron, storage, checks, natsQueue: queue, queue: queue ?? pgQueue, coordination, executors, close };
}

/** Opens the Redis coordination, with its readiness check and its closer. */
async function openCoordination(url: string, keyPrefix: ServerConfig['coordination']['key_prefix'], logger: Logger, checks: Record<string, () => Promise<void>>, closers: Array<() => Promise<void>>): Promise<RedisCoordination> {
  const redisMod = await loadAdapter<RedisModule>('@vecron/sdk/redis', '$.coordination.redis_url');
  const c = redisMod.redisCoordination({ url, keyPrefix, logger });
  checks.redis = async () => void (await c.client.ping());
  closers.push(() => c.close());
  return c;
}

/** The options {@link buildCronSystem} gives `createCronSystem`: the configuration's settings over the opened adapters. */
function cronOptionsOf(
  config: ServerConfig,
  args: { logger: Logger; encryptionKeys?: SecretBoxKeys; secretBox?: SecretBox; workerId?: string },
  executors: AnyExecutor[],
  a: { storage: Storage; clock: Clock | undefined; queue: Queue | null; coordination: RedisCoordination | null },
): Record<string, unknown> {
  return {
    executors,
    logger: args.logger,
    timezone: config.scheduler.timezone,
    encryptionKey: args.secretBox ?? args.encryptionKeys ?? resolveEncryptionKeys(config),
    pollIntervalMs: config.scheduler.poll_interval_ms,
    misfireThresholdMs: config.scheduler.misfire_threshold_ms,
    leaseMs: config.worker.lease_ms,
    ...(args.workerId ? { workerId: args.workerId } : {}),
    ...(config.worker.heartbeat_ms > 0 ? { heartbeatMs: config.worker.heartbeat_ms } : {}),
    dispatchIntervalMs: config.scheduler.dispatch_interval_ms,
    republishAfterMs: config.scheduler.republish_after_ms,
    shutdownGraceMs: config.worker.shutdown_grace_ms,
    stepLogs: { level: config.worker.step_log_level === 'off' ? false : config.worker.step_log_level, maxLines: config.worker.step_log_max_lines, maxBytes: config.worker.step_log_max_bytes },
    retention: retentionOptionsOf(config),
    storage: a.storage,
    // File areas live in the data folder whatever the store (docs/configuration.md: storage.data_dir),
    // so the API can serve the files an execution recorded; before, PostgreSQL mode used the OS temp folder.
    ...(config.storage.data_dir ? { filesDir: path.resolve(config.storage.data_dir, 'files') } : {}),
    ...(a.clock ? { clock: a.clock } : {}),
    ...(a.queue ? { queue: a.queue } : {}),
    ...(a.coordination ? { coordination: a.coordination } : {}),
  };
}

/**
 * The SDK's retention option from `[retention]` (0 = unset). Always given, so `vecron purge` has the
 * configured rules; the loop runs only when `retention.enabled`.
 */
export function retentionOptionsOf(config: ServerConfig): RetentionOptions {
  const r = config.retention;
  return {
    enabled: r.enabled,
    ...(r.max_age_days > 0 ? { maxAgeDays: r.max_age_days } : {}),
    ...(r.keep_last > 0 ? { keepLast: r.keep_last } : {}),
    ...(r.ledger_max_age_days > 0 ? { ledgerMaxAgeDays: r.ledger_max_age_days } : {}),
    intervalMs: r.interval_ms,
    batchSize: r.batch_size,
    pauseMs: r.pause_ms,
  };
}
