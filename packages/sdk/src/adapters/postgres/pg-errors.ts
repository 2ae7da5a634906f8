import { isRetryableDriverError, mapDriverError } from '../../storage/sql/sql-errors.js';

/**
 * Whether a driver error means "the server or the connection is unavailable; try again later"
 * (a connection failure, or a SQLSTATE in `RETRYABLE_SQLSTATES` of `@vecron/sdk/sql`).
 */
export function isConnectionError(err: unknown): boolean {
  return isRetryableDriverError(err);
}

/**
 * Maps a `pg` error to a `StorageError` (the mapping every `SqlClient` wrapper applies): retryable
 * for connection loss, server shutdown, statement timeout, serialization failure and deadlock;
 * not retryable for other SQL errors (constraint, syntax), with `details.sqlstate` and
 * `details.constraint`. A vecron error passes unchanged.
 */
export function mapPgError(err: unknown, what: string, server?: string): unknown {
  return mapDriverError(err, what, server);
}
