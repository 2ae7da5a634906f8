/**
 * `@vecron/sdk/sql` — what every SQL-speaking vecron package shares: the one table of retryable
 * PostgreSQL SQLSTATEs and how to read a SQLSTATE off an error.
 *
 * @example
 * ```ts
 * import { isRetryableSqlState, sqlStateOf } from '@vecron/sdk/sql';
 *
 * function shouldRetry(err: unknown): boolean {
 *   const state = sqlStateOf(err);
 *   return state !== undefined && isRetryableSqlState(state);
 * }
 * ```
 *
 * @packageDocumentation
 */
export { RETRYABLE_SQLSTATES, isRetryableSqlState, sqlStateOf } from './sqlstates.js';
export type { SqlClient, SqlQueryOptions } from '../storage/sql/sql-client.js';
