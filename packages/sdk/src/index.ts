/**
 * `@vecron/sdk` — the vecron core.
 *
 * @packageDocumentation
 */
export {
  VecronError, ValidationError, ConfigError, TemplateError, ScheduleError, StepTimeoutError, JobTimeoutError,
  CancelledError, ShutdownError, CircuitOpenError, NonRetryableError, RetryAfterError, TransientError,
  UnknownStepTypeError, PathEscapeError, StorageError, DataDirLockedError, LeaseLostError, NotFoundError,
  ConflictError, CryptoError, isRetryable, toErrorRecord,
} from './errors/errors.js';
export type { VecronErrorOptions, ValidationIssue } from './errors/errors.js';
export { defineExecutor } from './executor/executor.js';
export type { Executor, AnyExecutor, StepContext } from './executor/executor.js';
export { createFileArea, resolveInside, executionFilesDir } from './files/file-area.js';
export type { FileArea } from './files/file-area.js';
export { createCircuitBreakers } from './reliability/circuit-breaker.js';
export type { CircuitBreakers, CircuitBreakerOptions } from './reliability/circuit-breaker.js';
export { backoffDelay, backoffCeiling } from './reliability/backoff.js';
export type { BackoffOptions } from './reliability/backoff.js';
