import type * as Mysql from 'mysql2';
import { toBindValue } from '../json-value.js';
import type { DbCursor, DbPool, DbSession, Dialect, FieldInfo, PoolSpec } from './dialect.js';

type MysqlModule = typeof Mysql;

interface CoreConnection {
  threadId: number | null;
  execute(options: { sql: string; values: unknown[] }): NodeJS.EventEmitter;
  query(sql: string, cb: (err: Error | null) => void): unknown;
  pause(): void;
  resume(): void;
  release(): void;
  destroy(): void;
}

/** Names of MySQL column type codes, for `fields[].type`. */
function typeNames(mysql: MysqlModule): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [name, code] of Object.entries((mysql as unknown as { Types?: Record<string, number> }).Types ?? {})) out[code] = name;
  return out;
}

/**
 * MySQL and MariaDB through `mysql2`. Every statement goes through `execute` (a server-side
 * prepared statement: the SQL text with `?` in COM_STMT_PREPARE, the values in the binary
 * COM_STMT_EXECUTE packet), never `query` with values, which would splice escaped values into the
 * text on the client. BIGINT and DECIMAL come back as strings; DATE/DATETIME/TIMESTAMP as the
 * server's text (no local time zone applied).
 */
export function createMysqlDialect(mysql: MysqlModule): Dialect {
  const TYPE_NAMES = typeNames(mysql);
  return {
    serverSideTimeout: false,
    createPool(spec: PoolSpec): DbPool {
      const common = {
        uri: spec.connectionString,
        connectTimeout: spec.connectTimeoutMs,
        supportBigNumbers: true,
        bigNumberStrings: true,
        dateStrings: true,
        decimalNumbers: false,
        multipleStatements: false,
      };
      const pool = mysql.createPool({ ...common, connectionLimit: spec.max, maxIdle: spec.max, idleTimeout: Math.max(1, spec.idleTimeoutMs) });
      pool.on('error' as 'connection', () => undefined);

      const killQuery = (threadId: number): Promise<void> =>
        new Promise((resolve, reject) => {
          const admin = mysql.createConnection(common);
          admin.on('error', () => undefined);
          // threadId is the driver's integer, not user data.
          admin.query(`KILL QUERY ${Math.trunc(threadId)}`, (err) => {
            admin.destroy();
            if (err) reject(err);
            else resolve();
          });
        });

      const simple = (conn: CoreConnection, sql: string): Promise<void> =>
        new Promise((resolve, reject) => {
          conn.query(sql, (err) => (err ? reject(err) : resolve()));
        });

      return {
        acquire: () =>
          new Promise<DbSession>((resolve, reject) => {
            pool.getConnection((err, pooled) => {
              if (err) {
                reject(err);
                return;
              }
              const conn = pooled as unknown as CoreConnection;
              const cancel = async (): Promise<void> => {
                if (conn.threadId !== null) await killQuery(conn.threadId);
              };
              resolve({
                // MySQL's max_execution_time covers SELECT only and MariaDB names it differently, so the
                // executor's watchdog + KILL QUERY enforces the timeout for every statement type.
                setStatementTimeout: async () => undefined,
                open: (sql, params) => openCursor(conn, sql, params.map(toBindValue), TYPE_NAMES, cancel),
                begin: () => simple(conn, 'START TRANSACTION'),
                commit: () => simple(conn, 'COMMIT'),
                rollback: () => simple(conn, 'ROLLBACK'),
                cancel,
                release: async (broken) => {
                  if (broken) conn.destroy();
                  else conn.release();
                },
              });
            });
          }),
        end: () =>
          new Promise<void>((resolve) => {
            pool.end(() => resolve());
          }),
      };
    },
  };
}

/** Rows buffered before the socket is paused; it resumes once a read leaves fewer than half. */
const HIGH_WATER = 1000;
/** How long `close()` waits for the rest of a cancelled result, ms. */
const CLOSE_WAIT_MS = 5000;

/** A mysql2 column definition as the `fields` event gives it. */
type MysqlField = { name: string; columnType?: number; type?: number };

/** One open statement: what its event handlers have received and what `read` / `close` wait on. */
interface CursorState {
  readonly conn: CoreConnection;
  readonly buffer: Record<string, unknown>[];
  fields: FieldInfo[];
  /** Index of the first result set with columns: the only one whose rows are kept. */
  rowsIndex: number | undefined;
  affected: number;
  ended: boolean;
  failure: unknown;
  paused: boolean;
  closing: boolean;
  /** The waiter to call on the next event (one at a time). */
  wake: (() => void) | undefined;
}

/** Reads mysql2's event stream with backpressure (pausing the socket) and keeps only the first result set's rows. */
function openCursor(
  conn: CoreConnection,
  sql: string,
  values: unknown[],
  typeNames: Record<number, string>,
  cancel: () => Promise<void>,
): Promise<DbCursor> {
  const cmd = conn.execute({ sql, values });
  const state: CursorState = {
    conn,
    buffer: [],
    fields: [],
    rowsIndex: undefined,
    affected: 0,
    ended: false,
    failure: undefined,
    paused: false,
    closing: false,
    wake: undefined,
  };
  listen(cmd, state, typeNames);
  const cursor: DbCursor = {
    fields: () => state.fields,
    affectedRows: () => state.affected,
    read: (n) => readRows(state, n),
    close: () => closeCursor(state, cancel),
  };
  return Promise.resolve(cursor);
}

function notify(state: CursorState): void {
  const w = state.wake;
  state.wake = undefined;
  w?.();
}

/** Feeds the command's events into `state`: columns, rows (pausing at {@link HIGH_WATER}), affected counts, the end or the error. */
function listen(cmd: NodeJS.EventEmitter, state: CursorState, typeNames: Record<number, string>): void {
  cmd.on('fields', (f: MysqlField[] | undefined, index?: number) => {
    if (f && state.rowsIndex === undefined) {
      state.rowsIndex = index ?? 0;
      state.fields = f.map((x) => fieldInfo(x, typeNames));
    }
  });
  cmd.on('result', (row: Record<string, unknown>, index?: number) => {
    if (row && (row as { constructor?: { name?: string } }).constructor?.name === 'ResultSetHeader') {
      state.affected += Number((row as { affectedRows?: number }).affectedRows ?? 0);
      return;
    }
    if (state.closing || (index ?? 0) !== state.rowsIndex) return;
    state.buffer.push(row);
    if (state.buffer.length >= HIGH_WATER && !state.paused) {
      state.paused = true;
      state.conn.pause();
    }
    notify(state);
  });
  cmd.once('error', (err: unknown) => {
    state.failure = err;
    state.ended = true;
    notify(state);
  });
  cmd.once('end', () => {
    state.ended = true;
    notify(state);
  });
}

function fieldInfo(x: MysqlField, typeNames: Record<number, string>): FieldInfo {
  const code = x.columnType ?? x.type;
  return { name: x.name, ...(code !== undefined ? { type: typeNames[code] ?? String(code) } : {}) };
}

/** Up to `n` rows once that many are buffered or the result has ended; the error once the buffer is drained. */
async function readRows(state: CursorState, n: number): Promise<Record<string, unknown>[]> {
  for (;;) {
    if (state.failure !== undefined && state.buffer.length === 0) throw state.failure;
    if (state.buffer.length >= n || (state.ended && state.failure === undefined)) {
      const out = state.buffer.splice(0, n);
      if (state.paused && state.buffer.length < HIGH_WATER / 2) {
        state.paused = false;
        state.conn.resume();
      }
      return out;
    }
    if (state.paused) {
      state.paused = false;
      state.conn.resume();
    }
    await new Promise<void>((resolve) => {
      state.wake = resolve;
    });
  }
}

/** `true` when the result had ended; otherwise cancels it on the server, drops the rest and answers `false`. */
async function closeCursor(state: CursorState, cancel: () => Promise<void>): Promise<boolean> {
  if (state.ended) return true;
  state.closing = true;
  // The rest of the result is still coming: stop it on the server, then have the socket destroyed.
  await cancel().catch(() => undefined);
  state.buffer.length = 0;
  if (state.paused) state.conn.resume();
  await waitForEnd(state, CLOSE_WAIT_MS);
  return false;
}

/** Resolves when the result has ended, or after `ms`. */
function waitForEnd(state: CursorState, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
    const check = (): void => {
      if (state.ended) {
        clearTimeout(t);
        resolve();
      } else state.wake = check;
    };
    check();
  });
}
