import { createCronSystem, ConfigError } from '@vecron/sdk';
import type { AnyExecutor, CronSystem, CronSystemOptions, Queue, SecretBoxKeys, Storage } from '@vecron/sdk';
import { dbExecutor } from '@vecron/executor-db';
import { fileExecutor } from '@vecron/executor-file';
import { httpExecutor } from '@vecron/executor-http';
import { sftpExecutor } from '@vecron/executor-sftp';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config-schema.js';
import { isEmbedded, resolveEncryptionKeys } from './keys.js';

/** The distributed adapters live in subpath exports another package may not have built yet. */
async function loadAdapter<T>(specifier: string, exportName: string, configKey: string): Promise<T> {
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    const factory = mod[exportName];
    if (typeof factory !== 'function') throw new Error(`${specifier} has no ${exportName}`);
    return factory as T;
  } catch (cause) {
    throw new ConfigError('server configuration', [{ path: configKey, message: `needs ${specifier} (${exportName}), which is not available: ${(cause as Error).message}` }], { cause });
  }
}

/** What {@link buildCronSystem} made. */
export interface BuiltSystem {
  cron: CronSystem;
  /** Optional extra dependency checks for `/ready` (queue, coordination). */
  checks: Record<string, () => Promise<void>>;
  /** Closes adapter resources that `cron.stop()` does not own. */
  close(): Promise<void>;
}

/** The built-in executors the server registers, configured from `[executors]`. */
export function defaultExecutors(config: ServerConfig): AnyExecutor[] {
  return [
    httpExecutor({ blockPrivateAddresses: config.executors.http_block_private_addresses }) as AnyExecutor,
    dbExecutor() as unknown as AnyExecutor,
    fileExecutor() as AnyExecutor,
    sftpExecutor() as AnyExecutor,
  ];
}

/**
 * Creates the cron system the configuration describes: embedded PGlite + in-process queue when
 * no database is configured, PostgreSQL / NATS / Redis adapters otherwise.
 */
export async function buildCronSystem(config: ServerConfig, args: { logger: Logger; executors?: AnyExecutor[]; encryptionKeys?: SecretBoxKeys }): Promise<BuiltSystem> {
  const checks: Record<string, () => Promise<void>> = {};
  const closers: Array<() => Promise<void>> = [];
  let storage: Storage | Promise<Storage> | undefined;
  let queue: Queue | undefined;

  if (!isEmbedded(config)) {
    const postgresStorage = await loadAdapter<(o: unknown) => Storage | Promise<Storage>>('@vecron/sdk/postgres', 'postgresStorage', '$.storage.database_url');
    storage = postgresStorage({ connectionString: config.storage.database_url, schema: config.storage.schema });
  }
  if (config.queue.nats_servers) {
    const natsQueue = await loadAdapter<(o: unknown) => Queue>('@vecron/sdk/nats', 'natsQueue', '$.queue.nats_servers');
    queue = natsQueue({ servers: config.queue.nats_servers.split(',').map((s) => s.trim()) });
  } else if (!isEmbedded(config)) {
    args.logger.warn('database_url set without queue.nats_servers: the queue is in-process, so run api, scheduler and worker in one process (`vecron all`)');
  }
  let coordination: unknown;
  if (config.coordination.redis_url) {
    const redisCoordination = await loadAdapter<(o: unknown) => unknown>('@vecron/sdk/redis', 'redisCoordination', '$.coordination.redis_url');
    coordination = redisCoordination({ url: config.coordination.redis_url });
    const c = coordination as { ping?: () => Promise<void>; close?: () => Promise<void> };
    if (c.ping) checks.redis = () => c.ping!();
    if (c.close) closers.push(() => c.close!());
  }

  const options: Record<string, unknown> = {
    executors: args.executors ?? defaultExecutors(config),
    logger: args.logger,
    timezone: config.scheduler.timezone,
    encryptionKey: args.encryptionKeys ?? resolveEncryptionKeys(config),
    pollIntervalMs: config.scheduler.poll_interval_ms,
    misfireThresholdMs: config.scheduler.misfire_threshold_ms,
    leaseMs: config.worker.lease_ms,
    shutdownGraceMs: config.worker.shutdown_grace_ms,
    ...(storage ? { storage } : config.storage.data_dir ? { dataDir: config.storage.data_dir } : {}),
    ...(queue ? { queue } : {}),
    ...(coordination ? { coordination } : {}),
  };
  const cron = createCronSystem(options as CronSystemOptions);
  return {
    cron,
    checks,
    async close() {
      for (const c of closers) await c().catch(() => undefined);
    },
  };
}
