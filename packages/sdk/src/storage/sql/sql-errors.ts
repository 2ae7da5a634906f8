import { StorageError, VecronError } from '../../errors/errors.js';
import { isRetryableSqlState, sqlStateOf } from '../../sql/sqlstates.js';

/** Node / driver messages of a broken or unavailable connection. */
const CONNECTION_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|the database system is (starting up|shutting down)|terminating connection/i;
const NODE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether a driver error means "the server or the connection is unavailable, or the statement may succeed when tried again". */
export function isRetryableDriverError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NODE_NET_CODES.has(code)) return true;
  const state = sqlStateOf(err);
  if (state !== undefined && isRetryableSqlState(state)) return true;
  return CONNECTION_MESSAGE.test(err.message);
}

/**
 * The one mapping of driver errors, applied by the `SqlClient` wrappers (PGlite and `pg`) to
 * every statement: a vecron error passes as it is; anything else becomes a {@link StorageError},
 * retryable when the SQLSTATE is in `RETRYABLE_SQLSTATES` or the connection failed, with the
 * driver's error as `cause` and its `sqlstate`, `constraint` and `table` in `details` (read the
 * SQLSTATE with `sqlStateOf`).
 */
export function mapDriverError(err: unknown, what: string, server?: string): VecronError {
  if (err instanceof VecronError) return err;
  const e = err as { message?: unknown; constraint?: unknown; table?: unknown };
  const state = sqlStateOf(err);
  const retryable = isRetryableDriverError(err);
  const where = server ? ` at ${server}` : '';
  const message = retryable && state === undefined
    ? `database${where} unavailable during ${what}: ${String(e.message ?? err)}`
    : `${what} failed${where}: ${String(e.message ?? err)}`;
  return new StorageError(message, {
    cause: err,
    retryable,
    details: {
      ...(state ? { sqlstate: state } : {}),
      ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
      ...(typeof e.table === 'string' ? { table: e.table } : {}),
      ...(server ? { server } : {}),
    },
  });
}
