import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ConfigError, StorageError, VecronError } from '../../errors/errors.js';
import { describeServer } from '../../internal/server-url.js';
import type { Storage } from '../../storage/port.js';
import { migrate } from '../../storage/sql/migrations.js';
import { coreSchema } from '../../storage/sql/schema/index.js';
import type { SqlClient } from '../../storage/sql/sql-client.js';
import { createSqlStorage } from '../../storage/sql/sql-storage.js';
import type { SqlStorageOptions } from '../../storage/sql/sql-storage.js';
import { sqlStateOf } from '../../sql/sqlstates.js';
import { pgPoolClient } from './pg-client.js';
import { mapPgError } from './pg-errors.js';

/** Options of {@link postgresStorage}. Give `connectionString` or `pool`. */
export interface PostgresStorageOptions {
  /** `postgres://user:pass@host:port/db`. Ignored when `pool` is given. */
  connectionString?: string;
  /** An existing `pg` Pool; vecron does not end it on `close()` unless `ownPool` is true. */
  pool?: Pool;
  /** End the given `pool` on `close()`. @default false when `pool` is given */
  ownPool?: boolean;
  /**
   * Schema holding vecron's tables; created if missing and put first on every pooled
   * connection's `search_path`. @default the connection's default (`public`)
   */
  schema?: string;
  /** Most connections in the pool. @default 10 */
  poolMax?: number;
  /** Server-side `statement_timeout` of every connection, in ms (0 = none). @default 30000 */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (new or from the pool) before failing, in ms. @default 10000 */
  connectionTimeoutMs?: number;
  /** Idle connections are closed after this, in ms. @default 30000 */
  idleTimeoutMs?: number;
  /** `application_name` shown in `pg_stat_activity`. @default 'vecron' */
  applicationName?: string;
  /** Apply pending migrations before returning (under an advisory lock). @default true */
  migrate?: boolean;
  /** Where connection errors are logged. @default silent */
  logger?: Logger;
  /** Group commit of the hot per-execution writes; see `SqlStorageOptions.groupCommit`. @default true */
  groupCommit?: SqlStorageOptions['groupCommit'];
  /**
   * Send the hot per-execution statements (create, claim, claim with the first step's start,
   * step success and completion, lease extension) as named prepared statements: parsed once per
   * connection, and planned from PostgreSQL's plan cache where its generic plan is not costlier.
   * Turn off behind a pooler that cannot keep them, such as PgBouncer in transaction mode before
   * 1.21 (or without `max_prepared_statements`). @default true
   */
  preparedStatements?: boolean;
}

/** The PostgreSQL storage: the shared SQL repository plus its pool, for clocks and diagnostics. */
export interface PostgresStorage extends Storage {
  /** The `pg` Pool behind this storage. */
  readonly pool: Pool;
  /** The schema in use, or null for the connection default. */
  readonly schema: string | null;
  readonly sql: SqlClient;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Opens vecron's storage on PostgreSQL: a `pg` Pool behind the same SQL repository and numbered
 * migrations as the embedded store. Connection failures surface as retryable `StorageError`s and
 * the pool reconnects by itself once the server is back; an idle connection dropped by a server
 * restart is logged, never thrown.
 *
 * @example
 * ```ts
 * const storage = await postgresStorage({ connectionString: process.env.DATABASE_URL, schema: 'vecron' });
 * const cron = createCronSystem({ storage, clock: await databaseClock(storage) });
 * ```
 */
export async function postgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const schema = options.schema ?? null;
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new ConfigError('postgresStorage options', [{ path: '$.schema', message: 'must be a plain identifier (letters, digits, underscore; at most 63)' }]);
  }
  if (!options.pool && !options.connectionString) {
    throw new ConfigError('postgresStorage options', [{ path: '$.connectionString', message: 'give connectionString or pool' }]);
  }
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== 'boolean') {
    throw new ConfigError('postgresStorage options', [{ path: '$.preparedStatements', message: 'must be a boolean' }]);
  }
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  let pool: Pool;
  let ownPool: boolean;
  if (options.pool) {
    pool = options.pool;
    ownPool = options.ownPool ?? false;
    if (schema !== null) {
      // 'connect' fires before the pool hands the connection out, and pg runs a connection's
      // queries in order, so this SET precedes every statement of vecron on it.
      pool.on('connect', (client) => {
        client.query(`SET search_path TO "${schema}", public`).catch((err: unknown) => logger.error({ err }, 'cannot set search_path on a new PostgreSQL connection'));
      });
    }
  } else {
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
      application_name: options.applicationName ?? 'vecron',
      ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
      ...(schema !== null ? { options: `-c search_path="${schema}",public` } : {}),
    };
    pool = new pg.Pool(config);
    ownPool = true;
  }
  let lastErrorLogged = 0;
  // Without this listener, a server restart that kills an idle pooled connection crashes the process.
  pool.on('error', (err) => {
    const now = Date.now();
    if (now - lastErrorLogged > 1_000) {
      lastErrorLogged = now;
      logger.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'PostgreSQL connection lost; the pool reconnects on the next query');
    }
  });

  const opts = pool.options as { connectionString?: string; host?: string; port?: number; database?: string };
  const server = describeServer(options.connectionString ?? opts.connectionString ?? `postgres://${opts.host ?? 'localhost'}:${opts.port ?? 5432}/${opts.database ?? ''}`);
  const sql = pgPoolClient(pool, { server, prepare: options.preparedStatements ?? true });
  try {
    if (schema !== null) await createSchema(sql, schema);
    if (options.migrate ?? true) await migrate(sql, coreSchema);
  } catch (err) {
    if (ownPool) await pool.end().catch(() => undefined);
    const mapped = mapPgError(err, 'start-up', server);
    throw mapped instanceof VecronError ? mapped : new StorageError(`cannot prepare PostgreSQL storage at ${server}: ${(err as Error).message}`, { cause: err, retryable: false, details: { server } });
  }

  const storage = createSqlStorage(sql, {
    ...(options.groupCommit !== undefined ? { groupCommit: options.groupCommit } : {}),
    onClose: async () => {
      if (ownPool) await pool.end();
    },
  });
  return Object.assign(storage, { pool, schema, sql });
}

async function createSchema(sql: SqlClient, schema: string): Promise<void> {
  try {
    await sql.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    // Two processes creating the same schema at once: one wins, the other sees a duplicate.
    const code = sqlStateOf(err);
    if (code !== '23505' && code !== '42P06') throw err;
  }
}
