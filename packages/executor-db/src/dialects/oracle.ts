import { NonRetryableError } from '@vecron/sdk';
import { toBindValue } from '../json-value.js';
import type { DbCursor, DbPool, DbSession, Dialect, PoolSpec } from './dialect.js';

/** The part of node-oracledb (thin mode) this dialect uses; a fake of it drives the unit tests. */
export interface OracleDriver {
  OUT_FORMAT_OBJECT: number;
  createPool(attrs: {
    user?: string;
    password?: string;
    connectString: string;
    poolMin: number;
    poolMax: number;
    poolTimeout: number;
    queueTimeout: number;
    connectTimeout?: number;
  }): Promise<OraclePool>;
}
/** A node-oracledb pool. */
export interface OraclePool {
  getConnection(): Promise<OracleConnection>;
  close(drainTime?: number): Promise<void>;
}
/** A node-oracledb connection. */
export interface OracleConnection {
  callTimeout: number;
  execute(sql: string, binds: unknown[], options: Record<string, unknown>): Promise<OracleResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  break(): Promise<void>;
  close(options?: { drop?: boolean }): Promise<void>;
}
/** What `connection.execute` resolves to. */
export interface OracleResult {
  rowsAffected?: number;
  metaData?: Array<{ name: string; dbTypeName?: string }>;
  rows?: Record<string, unknown>[];
  resultSet?: { getRows(n: number): Promise<Record<string, unknown>[]>; close(): Promise<void> };
  implicitResults?: unknown[];
}

/**
 * Splits `oracle://user:password@host:1521/service_name` into node-oracledb's
 * `{ user, password, connectString: 'host:1521/service_name' }` (Easy Connect). User and password
 * are percent-decoded. A string without `oracle://` is passed through as the connect string
 * (external authentication / wallet setups).
 */
export function parseOracleConnectionString(connectionString: string): { user?: string; password?: string; connectString: string } {
  const m = /^oracle:\/\/(?:([^:@/]*)(?::([^@]*))?@)?(.+)$/i.exec(connectionString);
  if (!m) return { connectString: connectionString };
  const decode = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : decodeURIComponent(s));
  const user = decode(m[1]);
  const password = decode(m[2]);
  return { ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}), connectString: m[3]! };
}

/**
 * Oracle through node-oracledb in thin mode (pure JavaScript, no Instant Client). Placeholders
 * `:1..:n` or `:name` are bound by position from the `parameters` array; objects/arrays are sent
 * as JSON text. Not run against a real Oracle server in this repository's tests (none is
 * available); the dialect is unit-tested against a fake driver.
 */
export function createOracleDialect(oracledb: OracleDriver): Dialect {
  return {
    serverSideTimeout: false,
    createPool(spec: PoolSpec): DbPool {
      const { user, password, connectString } = parseOracleConnectionString(spec.connectionString);
      let poolPromise: Promise<OraclePool> | undefined;
      const getPool = (): Promise<OraclePool> =>
        (poolPromise ??= oracledb.createPool({
          ...(user !== undefined ? { user } : {}),
          ...(password !== undefined ? { password } : {}),
          connectString,
          poolMin: 0,
          poolMax: spec.max,
          poolTimeout: Math.max(1, Math.round(spec.idleTimeoutMs / 1000)),
          queueTimeout: spec.connectTimeoutMs,
          connectTimeout: Math.max(1, Math.round(spec.connectTimeoutMs / 1000)),
        }));

      return {
        async acquire(): Promise<DbSession> {
          const conn = await (await getPool()).getConnection();
          return {
            async setStatementTimeout(ms) {
              // callTimeout bounds each round trip; the executor's watchdog + break() covers the rest.
              conn.callTimeout = ms === undefined ? (spec.statementTimeoutMs ?? 0) : Math.ceil(ms);
            },
            open: (sql, params, { fetchSize, autoCommit }) => openOracleCursor(conn, oracledb, sql, params.map(toBindValue), fetchSize, autoCommit),
            begin: async () => undefined, // Oracle transactions begin implicitly; autoCommit is off inside one.
            commit: () => conn.commit(),
            rollback: () => conn.rollback(),
            cancel: () => conn.break(),
            async release(broken) {
              await conn.close(broken ? { drop: true } : undefined);
            },
          };
        },
        async end() {
          if (poolPromise) {
            const p = poolPromise;
            poolPromise = undefined;
            await (await p).close(0);
          }
        },
      };
    },
  };
}

/** Runs one statement; a query returns a result set read in batches. */
export async function openOracleCursor(
  conn: OracleConnection,
  oracledb: Pick<OracleDriver, 'OUT_FORMAT_OBJECT'>,
  sql: string,
  binds: unknown[],
  fetchSize: number,
  autoCommit: boolean,
): Promise<DbCursor> {
  const result = await conn.execute(sql, binds, {
    outFormat: oracledb.OUT_FORMAT_OBJECT,
    resultSet: true,
    fetchArraySize: fetchSize,
    autoCommit,
  });
  if (result.implicitResults && result.implicitResults.length > 0) {
    throw new NonRetryableError('Oracle implicit result sets (DBMS_SQL.RETURN_RESULT) are not supported; select from the procedure with raw_sql instead', {
      code: 'DB_UNSUPPORTED',
    });
  }
  const fields = (result.metaData ?? []).map((m) => ({ name: m.name, ...(m.dbTypeName ? { type: m.dbTypeName } : {}) }));
  const rs = result.resultSet;
  let done = rs === undefined;
  const inline = result.rows ? [...result.rows] : [];
  return {
    fields: () => fields,
    affectedRows: () => result.rowsAffected ?? 0,
    async read(n) {
      if (inline.length > 0) return inline.splice(0, n);
      if (done || !rs) return [];
      const rows = await rs.getRows(n);
      if (rows.length < n) {
        done = true;
        await rs.close();
      }
      return rows;
    },
    async close() {
      if (!done && rs) {
        done = true;
        await rs.close();
      }
      return true;
    },
  };
}
