import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ConfigError, VecronError } from '../../errors/errors.js';
import { sleep } from '../../internal/clock.js';
import { describeServer } from '../../internal/server-url.js';
import type { Queue, QueueHandler, QueueMessage } from '../../queue/port.js';
import { runHandler } from '../../queue/run-handler.js';
import type { Delivered } from '../../queue/run-handler.js';
import { groupCommit } from '../../storage/sql/group-commit.js';
import { queueStatements } from './queue-statements.js';
import type { ClaimedRow, ClaimResultRow } from './queue-statements.js';

/** Options of {@link postgresQueue}. Give `connectionString` or `pool`. */
export interface PostgresQueueOptions {
  /** `postgres://user:pass@host:port/db`. Ignored when `pool` is given. */
  connectionString?: string;
  /**
   * An existing `pg` Pool, e.g. the storage's (`storage.pool`), so the queue shares its
   * connections; vecron does not end it on `close()`. One connection is held for `LISTEN`.
   */
  pool?: Pool;
  /** Schema of the queue table; created if missing. @default the connection's default (`public`) */
  schema?: string;
  /** Name of the queue table (one table per queue). @default 'vecron_queue' */
  table?: string;
  /**
   * Deliveries of one message before it is dead-lettered (removed from the queue and handed to
   * `onDeadLetter`). Every nak counts, as on NATS. @default 100
   */
  maxDeliver?: number;
  /** A delivered message not acked, nacked or marked in progress within this is delivered again. @default 30000 */
  ackWaitMs?: number;
  /**
   * Longest wait between two claim attempts of an idle consumer, in ms: the safety net behind
   * `LISTEN/NOTIFY` (a notification lost while the listening connection was down, a message
   * whose ack wait ran out in a process that died). Delayed messages wake the consumer at their
   * due time, not at this interval. @default 1000
   */
  pollIntervalMs?: number;
  /**
   * Called once per message delivered `maxDeliver` times without an ack (before it is removed),
   * typically `markDeadLetter(storage, …)` (exported here too), so the execution is marked
   * `dead_letter` unless it already finished or a live worker holds it.
   */
  onDeadLetter?: (executionId: string, info: { deliveries: number }) => Promise<void>;
  /** Most connections of the queue's own pool (when no `pool` is given). @default 4 */
  poolMax?: number;
  /** Server-side `statement_timeout` of the queue's own connections, in ms. @default 10000 */
  statementTimeoutMs?: number;
  /** How long to wait for a connection before failing, in ms. @default 10000 */
  connectionTimeoutMs?: number;
  /** Where connection problems are logged. @default silent */
  logger?: Logger;
}

/** The PostgreSQL queue, with its table for diagnostics. */
export interface PostgresQueue extends Queue {
  /** The queue table, schema-qualified when a schema was given. */
  readonly table: string;
  /** Resolves once the table exists (every other call waits for it too). */
  ready(): Promise<void>;
  /** One round trip to the server before `signal` aborts (see {@link Queue.check}). */
  check(options: { signal: AbortSignal }): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A work queue in PostgreSQL, for deployments that run PostgreSQL and nothing else (no NATS, no
 * Redis): a table of execution ids, claimed in batches with `FOR UPDATE SKIP LOCKED`, with
 * consumers woken by `LISTEN/NOTIFY` the moment something is published.
 *
 * Guarantees are those of the {@link Queue} port, as on NATS JetStream: at-least-once delivery
 * (a claimed message not acked within `ackWaitMs` is claimed again by any consumer), a publish of
 * an id that is queued or in flight under the same deduplication id is a no-op (the id is the
 * table's key), one under a new deduplication id is due at once even while an older delivery is
 * held (the dispatcher's re-publish after a lost lease: recovery does not wait for the ack wait), delayed delivery
 * (`notBefore`, `nak(delay)`), a delivery count, dead-lettering after `maxDeliver`. An ack, nak or
 * in-progress of an earlier delivery of the same id changes nothing (each carries its delivery
 * number). Storage claims still make a start exactly-once.
 *
 * Publishes, acks, naks and lease extensions that arrive together go to the server as one
 * statement each (group commit), so a burst costs one round trip, not one per message.
 *
 * @example
 * ```ts
 * const storage = await postgresStorage({ connectionString: process.env.DATABASE_URL, schema: 'vecron' });
 * const cron = createCronSystem({
 *   storage, clock: await databaseClock(storage),
 *   queue: postgresQueue({ pool: storage.pool, schema: 'vecron' }),
 * });
 * ```
 */
export function postgresQueue(options: PostgresQueueOptions): PostgresQueue {
  const schema = options.schema ?? null;
  const tableName = options.table ?? 'vecron_queue';
  const issues: Array<{ path: string; message: string }> = [];
  if (schema !== null && !IDENTIFIER.test(schema)) issues.push({ path: '$.schema', message: 'must be a plain identifier (letters, digits, underscore; at most 63)' });
  if (!IDENTIFIER.test(tableName) || tableName.length > 50) issues.push({ path: '$.table', message: 'must be a plain identifier (letters, digits, underscore; at most 50)' });
  if (!options.pool && !options.connectionString) issues.push({ path: '$.connectionString', message: 'give connectionString or pool' });
  for (const key of ['maxDeliver', 'ackWaitMs', 'pollIntervalMs', 'poolMax', 'statementTimeoutMs', 'connectionTimeoutMs'] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || v < (key === 'statementTimeoutMs' ? 0 : 1))) issues.push({ path: `$.${key}`, message: 'must be a positive integer' });
  }
  if (issues.length) throw new ConfigError('postgresQueue options', issues);

  const maxDeliver = options.maxDeliver ?? 100;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const logger = options.logger ?? pino({ level: 'silent' });
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const ownPool = !options.pool;
  const pool: Pool = options.pool ?? new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 4,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'vecron-queue',
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  if (ownPool) pool.on('error', (err) => logger.error({ err: { message: err.message } }, 'PostgreSQL queue connection lost; the pool reconnects on the next query'));
  const popts = pool.options as { connectionString?: string; host?: string; port?: number; database?: string };
  const server = describeServer(options.connectionString ?? popts.connectionString ?? `postgres://${popts.host ?? 'localhost'}:${popts.port ?? 5432}/${popts.database ?? ''}`);
  const sql = queueStatements(schema, tableName);
  const unavailable = (what: string, cause: unknown): VecronError =>
    new VecronError('QUEUE_UNAVAILABLE', `PostgreSQL queue ${what} failed (${server}): ${(cause as Error)?.message ?? String(cause)}`, { cause, retryable: true, details: { server } });

  let closed = false;
  let provisioned: Promise<void> | null = null;
  const provision = (): Promise<void> => {
    provisioned ??= (async () => {
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
    })().catch((err: unknown) => {
      provisioned = null;
      throw unavailable('set-up', err);
    });
    return provisioned;
  };

  const query = async <R extends pg.QueryResultRow>(what: string, text: string, params: unknown[]): Promise<pg.QueryResult<R>> => {
    await provision();
    try {
      return await pool.query<R>(text, params);
    } catch (err) {
      throw unavailable(what, err);
    }
  };

  // --- group-committed writes: one statement per burst ------------------------------------------
  type Publish = { id: string; generation: string; jobId: string | null; traceparent: string | null; notBefore: Date | null };
  const publishOne = groupCommit<Publish, void>({
    key: (p) => p.id,
    single: async (p) => void (await query('publish', sql.publish, [[p.id], [p.jobId], [p.traceparent], [p.notBefore], sql.channel, [p.generation]])),
    many: async (ps) => {
      await query('publish', sql.publish, [ps.map((p) => p.id), ps.map((p) => p.jobId), ps.map((p) => p.traceparent), ps.map((p) => p.notBefore), sql.channel, ps.map((p) => p.generation)]);
      return ps.map(() => undefined);
    },
  });
  type Settle = { id: string; delivery: number; delayMs: number };
  const settler = (what: string, text: string, withDelay: boolean) => groupCommit<Settle, void>({
    key: (s) => s.id,
    single: async (s) => void (await query(what, text, withDelay ? [[s.id], [s.delivery], [s.delayMs]] : [[s.id], [s.delivery]])),
    many: async (ss) => {
      const params = [ss.map((s) => s.id), ss.map((s) => s.delivery)];
      await query(what, text, withDelay ? [...params, ss.map((s) => s.delayMs)] : params);
      return ss.map(() => undefined);
    },
  });
  const ackMany = settler('ack', sql.ack, false);
  const nakMany = settler('nak', sql.nak, true);
  const extendMany = settler('in-progress', sql.extend, true);

  // --- wake-ups -----------------------------------------------------------------------------------
  const wakers = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...wakers]) w();
  };
  let listener: PoolClient | null = null;
  let listening: Promise<void> | null = null;
  const onNotification = (msg: pg.Notification): void => {
    if (msg.channel === sql.channel) wake();
  };
  /**
   * Holds one connection with `LISTEN`. When it breaks, it is given back to the pool as broken
   * (destroyed) and another is opened; its 'error' handler stays attached for good, since a
   * destroyed client may still emit errors and an unheard 'error' would end the process.
   */
  const listen = (): Promise<void> => {
    listening ??= (async () => {
      let failures = 0;
      while (!closed && !listener) {
        let conn: PoolClient | null = null;
        let broken = false;
        const dropped = (err: Error): void => {
          if (broken) return;
          broken = true;
          conn?.removeListener('notification', onNotification);
          if (listener !== conn) return; // still setting up: the catch below gives it back
          listener = null;
          listening = null;
          logger.error({ err: { message: err.message } }, 'PostgreSQL queue: the LISTEN connection broke; polling until it is back');
          conn!.release(err);
          if (!closed) void listen();
        };
        try {
          conn = await pool.connect();
          conn.on('error', (err: Error) => dropped(err));
          conn.on('notification', onNotification);
          await conn.query(`LISTEN "${sql.channel}"`);
          if (broken) throw new Error('connection lost while subscribing');
          listener = conn;
          if (failures > 0) logger.info('PostgreSQL queue: listening again');
          // Anything published while nobody listened is found by this claim round.
          wake();
        } catch (err) {
          if (conn) {
            broken = true;
            conn.removeListener('notification', onNotification);
            conn.release(err as Error);
          }
          if (closed) break;
          failures += 1;
          logger.error({ err: { message: (err as Error).message } }, 'PostgreSQL queue: LISTEN failed; polling meanwhile');
          await sleep(Math.min(5_000, 250 * 2 ** Math.min(failures, 5)));
        }
      }
    })();
    return listening;
  };

  /** Waits for a notification, a local wake, `ms`, or the signal (a timer that holds the process open). */
  const idle = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wakers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wakers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });

  const wrap = (row: ClaimedRow): Delivered => {
    let done = false;
    const once = (): boolean => {
      if (done) return false;
      done = true;
      return true;
    };
    const delivery = row.deliveries;
    const id = row.execution_id;
    const warn = (what: string) => (err: unknown): void =>
      logger.warn({ err: { message: (err as Error).message }, executionId: id }, `PostgreSQL queue ${what} failed; the message is delivered again after the ack wait`);
    const message: QueueMessage = {
      executionId: id,
      deliveryCount: delivery,
      ...(row.job_id ? { jobId: row.job_id } : {}),
      ...(row.traceparent ? { traceparent: row.traceparent } : {}),
      async ack() {
        if (!once()) return;
        // The outcome is committed already: a lost ack is one more delivery, refused by the claim.
        await ackMany({ id, delivery, delayMs: 0 }).catch(warn('ack'));
      },
      async nak(delayMs = 0) {
        if (!once()) return;
        const ms = Math.max(0, Math.round(delayMs));
        await nakMany({ id, delivery, delayMs: ms }).catch(warn('nak'));
        if (ms === 0) wake();
      },
      async inProgress() {
        if (done) return;
        await extendMany({ id, delivery, delayMs: ackWaitMs }).catch(warn('in-progress'));
      },
    };
    return { message, settled: () => done };
  };

  const deadLetter = async (row: ClaimedRow): Promise<void> => {
    const deliveries = row.deliveries - 1;
    logger.warn({ executionId: row.execution_id, deliveries }, 'message exceeded max deliveries; removed from the queue');
    try {
      await options.onDeadLetter?.(row.execution_id, { deliveries });
    } catch (err) {
      logger.error({ err: { message: (err as Error).message }, executionId: row.execution_id }, 'dead-lettering a message failed; the reaper will re-publish its execution');
    }
    await ackMany({ id: row.execution_id, delivery: row.deliveries, delayMs: 0 });
  };

  return {
    durable: true,
    table: sql.table,
    ready: provision,

    async check({ signal }) {
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(unavailable('connect', new Error('no answer within the start deadline')));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([provision().then(() => pool.query('SELECT 1')), aborted]);
      } catch (err) {
        throw err instanceof VecronError ? err : unavailable('connect', err);
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort);
      }
    },

    async publish(executionId, opts = {}) {
      if (closed) throw unavailable('publish', new Error('queue closed'));
      await publishOne({ id: executionId, generation: opts.deduplicationId ?? executionId, jobId: opts.jobId ?? null, traceparent: opts.traceparent ?? null, notBefore: opts.notBefore ?? null });
    },

    async consume(handler: QueueHandler, { concurrency, signal }) {
      void listen();
      const running = new Set<Promise<void>>();
      let failures = 0;
      while (!signal.aborted && !closed) {
        if (running.size >= concurrency) {
          await Promise.race(running);
          // Completions come in bursts (a group commit answers many at once): one claim for all.
          await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        let rows: ClaimedRow[];
        let nextDueMs: number | null = null;
        const want = concurrency - running.size;
        try {
          const result = (await query<ClaimResultRow>('claim', sql.claim, [want, ackWaitMs])).rows;
          rows = [];
          for (const r of result) {
            if (r.execution_id === null) nextDueMs = r.next_due_ms;
            else rows.push(r);
          }
          if (failures > 0) logger.info('PostgreSQL queue: claiming again');
          failures = 0;
        } catch (err) {
          if (signal.aborted || closed) break;
          failures += 1;
          const delay = Math.min(5_000, 250 * 2 ** Math.min(failures, 5));
          logger.error({ err: { message: (err as Error).message }, retryInMs: delay }, 'PostgreSQL queue claim failed; retrying');
          // A timer that keeps the process alive: while the server is down no socket does, and a
          // worker process must wait for it, not exit.
          await idle(delay, signal);
          continue;
        }
        for (const row of rows) {
          if (row.deliveries > maxDeliver) {
            const p: Promise<void> = deadLetter(row).catch(() => undefined).finally(() => running.delete(p));
            running.add(p);
            continue;
          }
          runHandler(handler, wrap(row), running, logger);
        }
        if (rows.length < want) {
          // Nothing more is due: sleep until a notification, the next due message or the poll.
          await idle(nextDueMs === null ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(1, Math.ceil(nextDueMs))), signal);
        }
      }
      await Promise.allSettled(running);
    },

    async size() {
      const { rows } = await query<{ n: number }>('size', sql.size, []);
      return rows[0]?.n ?? 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      wake();
      const l = listener;
      listener = null;
      if (l) {
        l.removeListener('notification', onNotification);
        await l.query(`UNLISTEN "${sql.channel}"`).catch(() => undefined);
        l.release();
      }
      if (ownPool) await pool.end().catch(() => undefined);
    },
  };
}
