import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { Clock } from '../../internal/clock.js';
import type { SqlClient } from '../../storage/sql/sql-client.js';

/** Options of {@link databaseClock}. */
export interface DatabaseClockOptions {
  /** How often the offset to the database's clock is measured again, in ms. @default 10000 */
  refreshMs?: number;
  /** Where failed refreshes are logged (the last offset stays in use). @default silent */
  logger?: Logger;
}

/** A {@link Clock} that follows the database server's clock. */
export interface DatabaseClock extends Clock {
  /** Database time minus local time at the last measurement, in ms. */
  offsetMs(): number;
  /** Measures the offset now. */
  refresh(): Promise<void>;
  /** Stops the periodic refresh. Idempotent. */
  close(): void;
}

type Source = Pool | SqlClient | { sql: SqlClient } | { pool: Pool };

type Run = (text: string) => Promise<{ rows: Array<Record<string, unknown>> }>;

function queryOf(source: Source): Run {
  if ('query' in source && typeof source.query === 'function') {
    const q = source as { query: (text: string) => Promise<{ rows: unknown[] }> };
    return (t) => q.query(t) as ReturnType<Run>;
  }
  if ('pool' in source) return (t) => source.pool.query(t);
  return (t) => (source as { sql: SqlClient }).sql.query(t);
}

/**
 * The clock of distributed mode (docs/architecture.md#clock): due-ness and leases are judged by the database's
 * `clock_timestamp()`, so schedulers and workers on hosts whose clocks drift still agree. The
 * offset is measured once at start (round-trip midpoint) and refreshed every `refreshMs`;
 * `now()` costs no query.
 *
 * @example
 * ```ts
 * const storage = await postgresStorage({ connectionString });
 * const cron = createCronSystem({ storage, clock: await databaseClock(storage) });
 * ```
 */
export async function databaseClock(source: Source, options: DatabaseClockOptions = {}): Promise<DatabaseClock> {
  const query = queryOf(source);
  const logger = options.logger ?? pino({ level: 'silent' });
  let offset = 0;
  let closed = false;

  const refresh = async (): Promise<void> => {
    const before = Date.now();
    const { rows } = await query(`SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms`);
    const after = Date.now();
    const dbMs = Number(rows[0]?.ms);
    if (Number.isFinite(dbMs)) offset = Math.round(dbMs - (before + after) / 2);
  };
  await refresh();

  const timer = setInterval(() => {
    if (closed) return;
    refresh().catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'database clock refresh failed; keeping the last offset'));
  }, options.refreshMs ?? 10_000);
  timer.unref();

  return {
    now: () => new Date(Date.now() + offset),
    offsetMs: () => offset,
    refresh,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
