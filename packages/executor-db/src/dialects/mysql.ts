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

/** Reads mysql2's event stream with backpressure (pausing the socket) and keeps only the first result set's rows. */
function openCursor(
  conn: CoreConnection,
  sql: string,
  values: unknown[],
  typeNames: Record<number, string>,
  cancel: () => Promise<void>,
): Promise<DbCursor> {
  const HIGH_WATER = 1000;
  const cmd = conn.execute({ sql, values });
  const buffer: Record<string, unknown>[] = [];
  let fields: FieldInfo[] = [];
  let rowsIndex: number | undefined;
  let affected = 0;
  let ended = false;
  let failure: unknown;
  let paused = false;
  let closing = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  cmd.on('fields', (f: Array<{ name: string; columnType?: number; type?: number }> | undefined, index?: number) => {
    if (f && rowsIndex === undefined) {
      rowsIndex = index ?? 0;
      fields = f.map((x) => {
        const code = x.columnType ?? x.type;
        return { name: x.name, ...(code !== undefined ? { type: typeNames[code] ?? String(code) } : {}) };
      });
    }
  });
  cmd.on('result', (row: Record<string, unknown>, index?: number) => {
    if (row && (row as { constructor?: { name?: string } }).constructor?.name === 'ResultSetHeader') {
      affected += Number((row as { affectedRows?: number }).affectedRows ?? 0);
      return;
    }
    if (closing || (index ?? 0) !== rowsIndex) return;
    buffer.push(row);
    if (buffer.length >= HIGH_WATER && !paused) {
      paused = true;
      conn.pause();
    }
    notify();
  });
  cmd.once('error', (err: unknown) => {
    failure = err;
    ended = true;
    notify();
  });
  cmd.once('end', () => {
    ended = true;
    notify();
  });

  const cursor: DbCursor = {
    fields: () => fields,
    affectedRows: () => affected,
    async read(n) {
      for (;;) {
        if (failure !== undefined && buffer.length === 0) throw failure;
        if (buffer.length >= n || (ended && failure === undefined)) {
          const out = buffer.splice(0, n);
          if (paused && buffer.length < HIGH_WATER / 2) {
            paused = false;
            conn.resume();
          }
          return out;
        }
        if (paused) {
          paused = false;
          conn.resume();
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async close() {
      if (ended) return true;
      closing = true;
      // The rest of the result is still coming: stop it on the server, then have the socket destroyed.
      await cancel().catch(() => undefined);
      buffer.length = 0;
      if (paused) conn.resume();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 5000);
        t.unref();
        const check = (): void => {
          if (ended) {
            clearTimeout(t);
            resolve();
          } else wake = check;
        };
        check();
      });
      return false;
    },
  };
  return Promise.resolve(cursor);
}
