import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ConfigError } from '../../errors/errors.js';
import type { Queue, QueueHandler } from '../../queue/port.js';
import { consumeQueue } from './queue-consume.js';
import type { ConsumeContext } from './queue-consume.js';
import { queueDb } from './queue-db.js';
import { queueStatements } from './queue-statements.js';
import { queueWakeups } from './queue-wakeups.js';

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
  /**
   * Send the hot writes (publish, ack, nak, extend) as named prepared statements, parsed once per
   * connection. Turn off behind a pooler that cannot keep them, such as PgBouncer in transaction
   * mode before 1.21 (or without `max_prepared_statements`). @default true
   */
  preparedStatements?: boolean;
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
  validateOptions(options);
  const schema = options.schema ?? null;
  const logger = options.logger ?? pino({ level: 'silent' });
  const sql = queueStatements(schema, options.table ?? 'vecron_queue');
  const db = queueDb({ ...options, schema, logger, statementTimeoutMs: options.statementTimeoutMs ?? 10_000, preparedStatements: options.preparedStatements ?? true }, sql);
  let closed = false;
  const isClosed = (): boolean => closed;
  const wakeups = queueWakeups({ pool: db.pool, channel: sql.channel, logger, isClosed });
  const consumer: ConsumeContext = {
    db, wakeups, logger, isClosed,
    maxDeliver: options.maxDeliver ?? 100,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    onDeadLetter: async (executionId, info) => options.onDeadLetter?.(executionId, info),
  };
  return {
    durable: true,
    table: sql.table,
    ready: db.provision,
    check: async ({ signal }) => db.check(signal),
    async publish(executionId, opts = {}) {
      if (closed) throw db.unavailable('publish', new Error('queue closed'));
      await db.writes.publish({ id: executionId, generation: opts.deduplicationId ?? executionId, jobId: opts.jobId ?? null, traceparent: opts.traceparent ?? null, notBefore: opts.notBefore ?? null });
    },
    consume: (handler: QueueHandler, consumeOptions) => consumeQueue(consumer, handler, consumeOptions),
    async size() {
      const { rows } = await db.query<{ n: number }>('size', sql.size, []);
      return rows[0]?.n ?? 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      await wakeups.stop();
      if (db.ownPool) await db.pool.end().catch(() => undefined);
    },
  };
}

/** Throws `ConfigError` listing every bad option by path. */
function validateOptions(options: PostgresQueueOptions): void {
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
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== 'boolean') issues.push({ path: '$.preparedStatements', message: 'must be a boolean' });
  if (issues.length) throw new ConfigError('postgresQueue options', issues);
}
