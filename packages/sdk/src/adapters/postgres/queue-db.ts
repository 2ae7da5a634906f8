import pg from 'pg';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { VecronError } from '../../errors/errors.js';
import { probeBeforeAbort } from '../../internal/abort.js';
import { describeServer } from '../../internal/server-url.js';
import { groupCommit } from '../../storage/sql/group-commit.js';
import type { GroupCommitted } from '../../storage/sql/group-commit.js';
import { preparedName } from './prepared-name.js';
import type { PublishRow, QueueStatements, QueueWrite, SettleRow } from './queue-statements.js';

/** The PostgreSQL queue's access to its table: provisioning, queries, the group-committed writes. */
export interface QueueDb {
  readonly pool: Pool;
  /** Whether the pool is the queue's own (ended on close). */
  readonly ownPool: boolean;
  readonly sql: QueueStatements;
  /** A `QUEUE_UNAVAILABLE` error naming the server, for `what` failing with `cause`. */
  unavailable(what: string, cause: unknown): VecronError;
  /** Creates the table once (again after a failure); every query waits for it. */
  provision(): Promise<void>;
  /**
   * Runs one statement after provisioning; a failure is `QUEUE_UNAVAILABLE`. `prepare` (for the
   * hot writes: publish, ack, nak, extend) sends it as a named prepared statement, unless the
   * queue was opened with `preparedStatements: false`. Not the claim: its generic plan (a
   * `LIMIT $1` of unknown size) joins the rows it picks to a sequential scan of the whole queue
   * table (measured 9.7 ms against 0.1 ms for the custom plan, 40k rows).
   */
  query<R extends pg.QueryResultRow>(what: string, text: string, params: unknown[], prepare?: boolean): Promise<pg.QueryResult<R>>;
  /** One round trip before `signal` aborts. */
  check(signal: AbortSignal): Promise<void>;
  readonly writes: QueueWrites;
}

/** Writes that arrive together go to the server as one statement each (group commit). */
export interface QueueWrites {
  publish: GroupCommitted<PublishRow, void>;
  ack: GroupCommitted<SettleRow, void>;
  nak: GroupCommitted<SettleRow, void>;
  extend: GroupCommitted<SettleRow, void>;
}

/** What {@link queueDb} needs: the validated connection options. */
export interface QueueDbOptions {
  connectionString?: string;
  pool?: Pool;
  schema: string | null;
  poolMax?: number;
  statementTimeoutMs: number;
  connectionTimeoutMs?: number;
  /** Whether `query(…, prepare)` may use named prepared statements. */
  preparedStatements: boolean;
  logger: Logger;
}

/** Opens (or adopts) the pool of {@link postgresQueue} and builds its table access. See docs/architecture.md. */
export function queueDb(options: QueueDbOptions, sql: QueueStatements): QueueDb {
  const ownPool = !options.pool;
  const pool = options.pool ?? openPool(options);
  const popts = pool.options as { connectionString?: string; host?: string; port?: number; database?: string };
  const server = describeServer(options.connectionString ?? popts.connectionString ?? `postgres://${popts.host ?? 'localhost'}:${popts.port ?? 5432}/${popts.database ?? ''}`);
  const unavailable = (what: string, cause: unknown): VecronError =>
    new VecronError('QUEUE_UNAVAILABLE', `PostgreSQL queue ${what} failed (${server}): ${(cause as Error)?.message ?? String(cause)}`, { cause, retryable: true, details: { server } });
  let provisioned: Promise<void> | null = null;
  const provision = (): Promise<void> => {
    provisioned ??= createTable(pool, sql, options.schema).catch((err: unknown) => {
      provisioned = null;
      throw unavailable('set-up', err);
    });
    return provisioned;
  };
  const query = async <R extends pg.QueryResultRow>(what: string, text: string, params: unknown[], prepare = false): Promise<pg.QueryResult<R>> => {
    await provision();
    try {
      return prepare && options.preparedStatements
        ? await pool.query<R>({ name: preparedName(text), text, values: params })
        : await pool.query<R>(text, params);
    } catch (err) {
      throw unavailable(what, err);
    }
  };
  return {
    pool, ownPool, sql, unavailable, provision, query,
    check: (signal) => probeBeforeAbort(() => provision().then(() => pool.query('SELECT 1')), signal, unavailable),
    writes: queueWrites(query, sql),
  };
}

/** The queue's own pool; connection losses are logged, the pool reconnects on the next query. */
function openPool(options: QueueDbOptions): Pool {
  const { statementTimeoutMs, logger } = options;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 4,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'vecron-queue',
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  pool.on('error', (err) => logger.error({ err: { message: err.message } }, 'PostgreSQL queue connection lost; the pool reconnects on the next query'));
  return pool;
}

/** Creates the schema, table, index and `generation` column where missing, in one transaction. */
async function createTable(pool: Pool, sql: QueueStatements, schema: string | null): Promise<void> {
  const conn = await pool.connect();
  try {
    await conn.query('BEGIN');
    // The same lock for every process provisioning this table: concurrent CREATE … IF NOT
    // EXISTS can otherwise collide in the catalog.
    await conn.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vecron-queue:${sql.table}`]);
    if (schema !== null) await conn.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await conn.query(sql.createTable);
    await conn.query(sql.createIndex);
    // Only when missing: ALTER TABLE takes an ACCESS EXCLUSIVE lock even when the column exists,
    // and upgrading to it from the index's SHARE lock while other processes publish and claim
    // deadlocked a restarting worker (40P01 at start, exit 1) in the kill -9 fault test.
    if ((await conn.query(sql.hasGeneration, [sql.table])).rows.length === 0) await conn.query(sql.addGeneration);
    await conn.query('COMMIT');
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

/** The group-committed writes: one statement per burst. */
function queueWrites(query: QueueDb['query'], sql: QueueStatements): QueueWrites {
  /** One statement per burst of `write` (one row: over scalars, see `QueueWrite`). */
  const writer = <I extends { id: string }>(what: string, write: QueueWrite<I>): GroupCommitted<I, void> => {
    const run = async (rows: readonly I[]): Promise<void> => {
      const { text, params } = write(rows);
      await query(what, text, params, true);
    };
    return groupCommit<I, void>({ key: (r) => r.id, single: (r) => run([r]), many: async (rs) => (await run(rs), rs.map(() => undefined)) });
  };
  return { publish: writer('publish', sql.publish), ack: writer('ack', sql.ack), nak: writer('nak', sql.nak), extend: writer('in-progress', sql.extend) };
}
