/**
 * PostgreSQL SQLSTATEs after which the same statement may succeed when tried again, by exact
 * code or by two-character class. The one table shared by the SDK's storage (`@vecron/sdk/postgres`,
 * the embedded store) and `@vecron/executor-db`.
 */
export const RETRYABLE_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ['08', 'connection exception (class)'],
  ['53', 'insufficient resources (class): too many connections, out of memory, disk full'],
  ['40001', 'serialization_failure'],
  ['40P01', 'deadlock_detected'],
  ['55P03', 'lock_not_available'],
  ['57014', 'query_canceled (statement timeout)'],
  ['57P01', 'admin_shutdown'],
  ['57P02', 'crash_shutdown'],
  ['57P03', 'cannot_connect_now (starting up)'],
  ['58000', 'system_error'],
  ['58030', 'io_error'],
]);

/** Whether a SQLSTATE is in {@link RETRYABLE_SQLSTATES} (by code, else by class). */
export function isRetryableSqlState(state: string): boolean {
  return state.length === 5 && (RETRYABLE_SQLSTATES.has(state) || RETRYABLE_SQLSTATES.has(state.slice(0, 2)));
}

/**
 * The SQLSTATE of an error: a driver error's own `code` (five characters), or the `sqlstate` a
 * vecron `StorageError` carries in its details. Undefined for anything else.
 */
export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const details = (err as { details?: { sqlstate?: unknown } }).details;
  if (typeof details?.sqlstate === 'string') return details.sqlstate;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
