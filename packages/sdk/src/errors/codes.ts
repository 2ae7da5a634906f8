/**
 * Every stable error `code` vecron sets, as documented in docs/errors.md (a test keeps the two
 * equal). `VecronError.code` is typed as {@link VecronErrorCode}, so `switch (err.code)` narrows
 * and a misspelt code does not compile.
 *
 * A third-party plugin that needs codes of its own adds them by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@vecron/sdk' {
 *   interface VecronErrorCodes { ACME_QUOTA_EXCEEDED: true }
 * }
 * ```
 */
export interface VecronErrorCodes {
  // @vecron/sdk
  VALIDATION_FAILED: true;
  CONFIG_INVALID: true;
  TEMPLATE_UNRESOLVED: true;
  SCHEDULE_INVALID: true;
  STEP_TIMEOUT: true;
  JOB_TIMEOUT: true;
  CANCELLED: true;
  SHUTDOWN: true;
  CIRCUIT_OPEN: true;
  NON_RETRYABLE: true;
  RETRY_AFTER: true;
  TRANSIENT: true;
  UNKNOWN_STEP_TYPE: true;
  PATH_ESCAPE: true;
  STORAGE_FAILED: true;
  SCHEMA_TOO_NEW: true;
  DATA_DIR_LOCKED: true;
  DATA_DIR_INSECURE: true;
  LEASE_LOST: true;
  NOT_FOUND: true;
  CONFLICT: true;
  CRYPTO_FAILED: true;
  INTERNAL_ERROR: true;
  UNEXPECTED: true;
  WAIT_TIMEOUT: true;
  QUEUE_UNAVAILABLE: true;
  COORDINATION_UNAVAILABLE: true;
  MAX_DELIVERIES: true;
  // @vecron/executor-http
  HTTP_CLIENT_ERROR: true;
  HTTP_SERVER_ERROR: true;
  HTTP_TOO_MANY_REQUESTS: true;
  HTTP_UNEXPECTED_STATUS: true;
  HTTP_NETWORK: true;
  HTTP_ABORTED: true;
  HTTP_TIMEOUT: true;
  HTTP_TLS_FAILED: true;
  HTTP_RESPONSE_TOO_LARGE: true;
  HTTP_REDIRECT_FAILED: true;
  HTTP_INVALID_REQUEST: true;
  ADDRESS_BLOCKED: true;
  OAUTH2_TOKEN_REJECTED: true;
  OAUTH2_TOKEN_UNAVAILABLE: true;
  // @vecron/executor-db
  DB_SYNTAX_ERROR: true;
  DB_UNDEFINED_OBJECT: true;
  DB_PERMISSION_DENIED: true;
  DB_AUTH_FAILED: true;
  DB_CONSTRAINT_VIOLATION: true;
  DB_QUERY_FAILED: true;
  DB_ROW_LIMIT_EXCEEDED: true;
  DB_PLACEHOLDER_MISMATCH: true;
  DB_UNKNOWN_CONNECTION: true;
  DB_DRIVER_MISSING: true;
  DB_INVALID_PROCEDURE_NAME: true;
  DB_UNSUPPORTED: true;
  DB_CONNECTION_FAILED: true;
  DB_DEADLOCK: true;
  DB_SERIALIZATION_FAILURE: true;
  DB_LOCK_TIMEOUT: true;
  DB_STATEMENT_TIMEOUT: true;
  DB_ERROR: true;
  // @vecron/executor-file
  FILE_NOT_FOUND: true;
  FILE_PARSE_ERROR: true;
  FILE_DATA_INVALID: true;
  UNKNOWN_COLUMN: true;
  DUPLICATE_COLUMN: true;
  SHEET_NOT_FOUND: true;
  TOO_MANY_ROWS: true;
  INVALID_DATA_SOURCE: true;
  FILTER_SYNTAX: true;
  // @vecron/executor-sftp
  HOST_KEY_NOT_PINNED: true;
  HOST_KEY_MISMATCH: true;
  SFTP_AUTH_FAILED: true;
  SFTP_BAD_KEY: true;
  SFTP_KEY_PATH_NOT_ALLOWED: true;
  SFTP_HANDSHAKE_FAILED: true;
  SFTP_NOT_FOUND: true;
  SFTP_NOT_A_DIRECTORY: true;
  SFTP_PERMISSION_DENIED: true;
  SFTP_UNSUPPORTED: true;
  SFTP_UNSAFE_REMOTE_NAME: true;
  LOCAL_NOT_FOUND: true;
  LOCAL_NOT_A_DIRECTORY: true;
  LOCAL_IO_FAILED: true;
  SFTP_CONNECTION_FAILED: true;
  SFTP_TIMEOUT: true;
  SFTP_CONNECTION_LOST: true;
  SFTP_SIZE_MISMATCH: true;
  SFTP_FAILURE: true;
  SFTP_FAILED: true;
  // @vecron/server
  UNAUTHENTICATED: true;
  INVALID_CREDENTIALS: true;
  FORBIDDEN: true;
  PASSWORD_CHANGE_REQUIRED: true;
  RATE_LIMITED: true;
  WEBHOOK_STALE: true;
  WEBHOOK_SIGNATURE_INVALID: true;
  WEBHOOK_DISABLED: true;
  WEBHOOK_REPLAY: true;
  SECRET_UNDECRYPTABLE: true;
  INVALID_JSON: true;
  PAYLOAD_TOO_LARGE: true;
  BAD_REQUEST: true;
  UNAVAILABLE: true;
  INTERNAL: true;
  ALERT_EMAIL_TIMEOUT: true;
  ALERT_EMAIL_ABORTED: true;
}

/** The union of every documented error code (the keys of {@link VecronErrorCodes}). */
export type VecronErrorCode = keyof VecronErrorCodes & string;
