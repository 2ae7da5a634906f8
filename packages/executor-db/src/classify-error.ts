import { NonRetryableError, TransientError, VecronError } from '@vecron/sdk';
import type { VecronErrorCode } from '@vecron/sdk';
import { isRetryableSqlState } from '@vecron/sdk/sql';
import type { DatabaseType } from './step-config.js';

/** Node socket errors that mean "the server could not be reached right now". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'ECONNABORTED', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR',
]);

const PG_AUTH_STATES = new Set(['28000', '28P01']);

/** MySQL / MariaDB errnos worth retrying. */
const MYSQL_RETRYABLE = new Map<number, VecronErrorCode>([
  [1205, 'DB_LOCK_TIMEOUT'], // ER_LOCK_WAIT_TIMEOUT
  [1213, 'DB_DEADLOCK'], // ER_LOCK_DEADLOCK
  [3024, 'DB_STATEMENT_TIMEOUT'], // MySQL max_execution_time exceeded
  [1969, 'DB_STATEMENT_TIMEOUT'], // MariaDB max_statement_time exceeded
  [1317, 'DB_STATEMENT_TIMEOUT'], // ER_QUERY_INTERRUPTED (KILL QUERY)
  [1040, 'DB_CONNECTION_FAILED'], // too many connections
  [1053, 'DB_CONNECTION_FAILED'], // server shutdown in progress
  [1927, 'DB_CONNECTION_FAILED'], // connection was killed
  [2002, 'DB_CONNECTION_FAILED'],
  [2003, 'DB_CONNECTION_FAILED'],
  [2006, 'DB_CONNECTION_FAILED'], // server has gone away
  [2013, 'DB_CONNECTION_FAILED'], // lost connection during query
  [1152, 'DB_CONNECTION_FAILED'], // aborted connection
  [1158, 'DB_CONNECTION_FAILED'], // ER_NET_READ_ERROR
  [1159, 'DB_CONNECTION_FAILED'],
  [1160, 'DB_CONNECTION_FAILED'],
  [1161, 'DB_CONNECTION_FAILED'],
]);
const MYSQL_NON_RETRYABLE = new Map<number, VecronErrorCode>([
  [1064, 'DB_SYNTAX_ERROR'], // ER_PARSE_ERROR
  [1149, 'DB_SYNTAX_ERROR'],
  [1146, 'DB_UNDEFINED_OBJECT'], // no such table
  [1054, 'DB_UNDEFINED_OBJECT'], // unknown column
  [1305, 'DB_UNDEFINED_OBJECT'], // procedure does not exist
  [1049, 'DB_UNDEFINED_OBJECT'], // unknown database
  [1044, 'DB_PERMISSION_DENIED'],
  [1142, 'DB_PERMISSION_DENIED'],
  [1143, 'DB_PERMISSION_DENIED'],
  [1227, 'DB_PERMISSION_DENIED'],
  [1370, 'DB_PERMISSION_DENIED'],
  [1045, 'DB_AUTH_FAILED'], // access denied for user (bad password)
  [1062, 'DB_CONSTRAINT_VIOLATION'], // duplicate entry
  [1451, 'DB_CONSTRAINT_VIOLATION'],
  [1452, 'DB_CONSTRAINT_VIOLATION'],
  [1048, 'DB_CONSTRAINT_VIOLATION'], // column cannot be null
]);

/** Oracle ORA- numbers worth retrying. */
const ORA_RETRYABLE = new Map<number, VecronErrorCode>([
  [60, 'DB_DEADLOCK'],
  [8177, 'DB_SERIALIZATION_FAILURE'],
  [54, 'DB_LOCK_TIMEOUT'], // resource busy, NOWAIT
  [30006, 'DB_LOCK_TIMEOUT'],
  [1013, 'DB_STATEMENT_TIMEOUT'], // user requested cancel
  [3113, 'DB_CONNECTION_FAILED'],
  [3114, 'DB_CONNECTION_FAILED'],
  [3135, 'DB_CONNECTION_FAILED'],
  [3156, 'DB_STATEMENT_TIMEOUT'],
  [12170, 'DB_CONNECTION_FAILED'],
  [12514, 'DB_CONNECTION_FAILED'],
  [12516, 'DB_CONNECTION_FAILED'],
  [12519, 'DB_CONNECTION_FAILED'],
  [12520, 'DB_CONNECTION_FAILED'],
  [12528, 'DB_CONNECTION_FAILED'],
  [12537, 'DB_CONNECTION_FAILED'],
  [12541, 'DB_CONNECTION_FAILED'],
  [12543, 'DB_CONNECTION_FAILED'],
  [12571, 'DB_CONNECTION_FAILED'],
]);
const ORA_NON_RETRYABLE = new Map<number, VecronErrorCode>([
  [900, 'DB_SYNTAX_ERROR'],
  [901, 'DB_SYNTAX_ERROR'],
  [905, 'DB_SYNTAX_ERROR'],
  [906, 'DB_SYNTAX_ERROR'],
  [907, 'DB_SYNTAX_ERROR'],
  [911, 'DB_SYNTAX_ERROR'],
  [923, 'DB_SYNTAX_ERROR'],
  [933, 'DB_SYNTAX_ERROR'],
  [936, 'DB_SYNTAX_ERROR'],
  [6550, 'DB_SYNTAX_ERROR'], // PL/SQL compilation error
  [942, 'DB_UNDEFINED_OBJECT'],
  [904, 'DB_UNDEFINED_OBJECT'],
  [4043, 'DB_UNDEFINED_OBJECT'],
  [1031, 'DB_PERMISSION_DENIED'],
  [1017, 'DB_AUTH_FAILED'],
  [28000, 'DB_AUTH_FAILED'], // account locked
  [1, 'DB_CONSTRAINT_VIOLATION'],
  [1400, 'DB_CONSTRAINT_VIOLATION'],
  [2291, 'DB_CONSTRAINT_VIOLATION'],
  [2292, 'DB_CONSTRAINT_VIOLATION'],
]);
/** node-oracledb thin-mode connection errors (NJS-500 … NJS-503, NJS-040 pool queue timeout). */
const NJS_RETRYABLE = /^(NJS-(040|500|501|503|510)|DPI-1080)/;

function pgCode(state: string): { code: VecronErrorCode; retryable: boolean } {
  if (state === '40P01') return { code: 'DB_DEADLOCK', retryable: true };
  if (state === '40001') return { code: 'DB_SERIALIZATION_FAILURE', retryable: true };
  if (state === '55P03') return { code: 'DB_LOCK_TIMEOUT', retryable: true };
  if (state === '57014') return { code: 'DB_STATEMENT_TIMEOUT', retryable: true };
  if (PG_AUTH_STATES.has(state)) return { code: 'DB_AUTH_FAILED', retryable: false };
  if (state === '3D000') return { code: 'DB_UNDEFINED_OBJECT', retryable: false }; // database does not exist
  // The one retryable-SQLSTATE table, shared with the SDK's storage (@vecron/sdk/sql).
  if (isRetryableSqlState(state)) return { code: 'DB_CONNECTION_FAILED', retryable: true };
  if (state === '42601') return { code: 'DB_SYNTAX_ERROR', retryable: false };
  if (state === '42P01' || state === '42703' || state === '42883' || state === '42P02') return { code: 'DB_UNDEFINED_OBJECT', retryable: false };
  if (state === '42501') return { code: 'DB_PERMISSION_DENIED', retryable: false };
  if (state.startsWith('23')) return { code: 'DB_CONSTRAINT_VIOLATION', retryable: false };
  return { code: 'DB_QUERY_FAILED', retryable: false };
}

/**
 * Turns a driver error into a vecron error: permanent SQL problems (syntax, undefined object,
 * permission, authentication, constraint, data errors) become {@link NonRetryableError}; network
 * failures, deadlocks, serialization failures, lock and statement timeouts become
 * {@link TransientError}. The SQLSTATE / errno / ORA number goes into `details`.
 * Unknown errors without a database code are retryable (a crash is not a verdict).
 */
export function classifyDbError(dialect: DatabaseType, err: unknown, where: string): VecronError {
  if (err instanceof VecronError) return err;
  const e = (err ?? {}) as { code?: unknown; errno?: unknown; sqlState?: unknown; errorNum?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const make = (code: VecronErrorCode, retryable: boolean, details: Record<string, unknown>): VecronError => {
    const text = `${where}: ${message}`;
    return retryable ? new TransientError(text, { code, cause: err, details }) : new NonRetryableError(text, { code, cause: err, details });
  };

  const nodeCode = typeof e.code === 'string' ? e.code : undefined;
  if (nodeCode && NETWORK_CODES.has(nodeCode)) return make('DB_CONNECTION_FAILED', true, { driver_code: nodeCode });

  if (dialect === 'postgresql' && nodeCode && /^[0-9A-Z]{5}$/.test(nodeCode)) {
    const c = pgCode(nodeCode);
    return make(c.code, c.retryable, { sqlstate: nodeCode });
  }

  if (dialect === 'mysql' && typeof e.errno === 'number') {
    const details = { errno: e.errno, sqlstate: e.sqlState, driver_code: nodeCode };
    const retry = MYSQL_RETRYABLE.get(e.errno);
    if (retry) return make(retry, true, details);
    const permanent = MYSQL_NON_RETRYABLE.get(e.errno);
    if (permanent) return make(permanent, false, details);
    if (e.sqlState === '40001') return make('DB_DEADLOCK', true, details);
    if (typeof e.sqlState === 'string' && e.sqlState.startsWith('08')) return make('DB_CONNECTION_FAILED', true, details);
    return make('DB_QUERY_FAILED', false, details);
  }

  if (dialect === 'oracle') {
    const ora = typeof e.errorNum === 'number' && e.errorNum > 0 ? e.errorNum : /^ORA-(\d{5})/.exec(message)?.[1];
    if (ora !== undefined) {
      const num = Number(ora);
      const details = { ora: `ORA-${String(num).padStart(5, '0')}` };
      const retry = ORA_RETRYABLE.get(num);
      if (retry) return make(retry, true, details);
      return make(ORA_NON_RETRYABLE.get(num) ?? 'DB_QUERY_FAILED', false, details);
    }
    if (NJS_RETRYABLE.test(message)) return make('DB_CONNECTION_FAILED', true, { driver_code: message.slice(0, 8) });
  }

  // pg: "Connection terminated unexpectedly", "timeout exceeded when trying to connect", …
  return make('DB_ERROR', true, nodeCode ? { driver_code: nodeCode } : {});
}
