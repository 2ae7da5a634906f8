import { StorageError } from '../../errors/errors.js';

/** SQLSTATE classes and codes after which the same statement may succeed on a retry. */
const RETRYABLE_SQLSTATE = /^(08|53|57P0[1-4]|40001|40P01|57014|55P03)/;
/** Node / pg messages of a broken or unavailable connection. */
const CONNECTION_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|the database system is (starting up|shutting down)|terminating connection/i;
const NODE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether a driver error means "the server or the connection is unavailable; try again later". */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NODE_NET_CODES.has(code)) return true;
  if (typeof code === 'string' && code.length === 5 && RETRYABLE_SQLSTATE.test(code)) return true;
  return CONNECTION_MESSAGE.test(err.message);
}

/**
 * Maps a `pg` error: connection loss, server shutdown, statement timeout, serialization failure
 * and deadlock become a retryable {@link StorageError}; other SQL errors (constraint, syntax)
 * pass through unchanged so the SQL repository can map them (e.g. unique violations).
 */
export function mapPgError(err: unknown, what: string, server?: string): unknown {
  if (err instanceof StorageError) return err;
  if (isConnectionError(err)) {
    const code = (err as { code?: unknown }).code;
    return new StorageError(`PostgreSQL${server ? ` at ${server}` : ''} unavailable during ${what}: ${(err as Error).message}`, {
      cause: err,
      retryable: true,
      details: { ...(typeof code === 'string' ? { sqlstate: code } : {}), ...(server ? { server } : {}) },
    });
  }
  return err;
}
