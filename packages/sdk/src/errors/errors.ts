/**
 * Typed errors of vecron. Every error has a stable `code` (listed in docs/errors.md)
 * and a `retryable` flag that the worker reads to decide between a retry and a failure.
 * `instanceof` survives two copies of the package because checks go through a brand symbol.
 */

import type { VecronErrorCode } from './codes.js';

const BRAND = Symbol.for('vecron.error');

/** Options accepted by every vecron error. */
export interface VecronErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Overrides the class default. */
  retryable?: boolean;
  /** Extra machine-readable details (paths, ids); never secrets. */
  details?: Record<string, unknown>;
}

/** Base class of every error vecron throws. */
export class VecronError extends Error {
  /** Stable, documented error code, e.g. `VALIDATION_FAILED` (the union {@link VecronErrorCode}). */
  readonly code: VecronErrorCode;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;
  /** Machine-readable details. */
  readonly details: Record<string, unknown>;

  constructor(code: VecronErrorCode, message: string, options: VecronErrorOptions = {}, defaultRetryable = false) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? defaultRetryable;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    if (!(BRAND in value)) return false;
    // Subclass check by name chain, so two copies of the package agree.
    if (this === VecronError) return true;
    let proto: unknown = Object.getPrototypeOf(value);
    while (proto && proto !== Object.prototype) {
      const ctor = (proto as { constructor?: { name?: string } }).constructor;
      if (ctor?.name === this.name) return true;
      proto = Object.getPrototypeOf(proto);
    }
    return false;
  }

  /** A JSON-safe view (no stack) for storage and API responses. */
  toJSON(): { name: string; code: VecronErrorCode; message: string; retryable: boolean; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** One problem found while validating input, with its JSON path. */
export interface ValidationIssue {
  /** JSON path of the offending value, e.g. `$.steps[0].type`. */
  path: string;
  message: string;
}

/** Input (job definition, config, API body) failed validation. Lists every issue with its JSON path. */
export class ValidationError extends VecronError {
  readonly issues: ValidationIssue[];
  constructor(what: string, issues: ValidationIssue[], options: VecronErrorOptions = {}) {
    const list = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
    super('VALIDATION_FAILED', `${what} is invalid:\n${list}`, { ...options, details: { issues } });
    this.issues = issues;
  }
}

/** Configuration passed to a factory is invalid. */
export class ConfigError extends VecronError {
  readonly issues: ValidationIssue[];
  constructor(what: string, issues: ValidationIssue[], options: VecronErrorOptions = {}) {
    const list = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
    super('CONFIG_INVALID', `${what} is invalid:\n${list}`, { ...options, details: { issues } });
    this.issues = issues;
  }
}

/** A template reference could not be resolved; `path` names exactly what was missing. */
export class TemplateError extends VecronError {
  readonly path: string;
  constructor(message: string, path: string, options: VecronErrorOptions = {}) {
    super('TEMPLATE_UNRESOLVED', message, { ...options, details: { path, ...options.details } });
    this.path = path;
  }
}

/** A cron expression or schedule could not be parsed. */
export class ScheduleError extends VecronError {
  constructor(message: string, options: VecronErrorOptions = {}) {
    super('SCHEDULE_INVALID', message, options);
  }
}

/** A step ran past its `timeout_seconds`. Retryable by default. */
export class StepTimeoutError extends VecronError {
  constructor(stepId: string, timeoutMs: number, options: VecronErrorOptions = {}) {
    super('STEP_TIMEOUT', `step "${stepId}" timed out after ${timeoutMs} ms`, { ...options, details: { stepId, timeoutMs } }, true);
  }
}

/** The whole execution ran past the job's `timeout_seconds`. Not retried. */
export class JobTimeoutError extends VecronError {
  constructor(timeoutMs: number, options: VecronErrorOptions = {}) {
    super('JOB_TIMEOUT', `execution timed out after ${timeoutMs} ms`, { ...options, details: { timeoutMs } }, false);
  }
}

/** The execution was cancelled by a person or by the overlap policy. */
export class CancelledError extends VecronError {
  constructor(reason = 'cancelled', options: VecronErrorOptions = {}) {
    super('CANCELLED', reason, options, false);
  }
}

/** The worker is shutting down; the execution is handed back, not failed. */
export class ShutdownError extends VecronError {
  constructor(options: VecronErrorOptions = {}) {
    super('SHUTDOWN', 'worker is shutting down', options, true);
  }
}

/** A circuit breaker for the target is open: failing fast without calling it. */
export class CircuitOpenError extends VecronError {
  constructor(target: string, retryInMs: number, options: VecronErrorOptions = {}) {
    super('CIRCUIT_OPEN', `circuit for ${target} is open; retry in ${retryInMs} ms`, { ...options, details: { target, retryInMs } }, true);
  }
}

/** Thrown by an executor for a permanent failure (401/403, auth, file not found, SQL syntax). */
export class NonRetryableError extends VecronError {
  constructor(message: string, options: VecronErrorOptions & { code?: VecronErrorCode } = {}) {
    super(options.code ?? 'NON_RETRYABLE', message, { ...options, retryable: false });
  }
}

/** Thrown by an executor that knows when to try again (HTTP 429 `Retry-After`). */
export class RetryAfterError extends VecronError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: VecronErrorOptions = {}) {
    super('RETRY_AFTER', message, { ...options, retryable: true, details: { retryAfterMs, ...options.details } });
    this.retryAfterMs = retryAfterMs;
  }
}

/** A transient failure of an external system; retried with backoff. */
export class TransientError extends VecronError {
  constructor(message: string, options: VecronErrorOptions & { code?: VecronErrorCode } = {}) {
    super(options.code ?? 'TRANSIENT', message, { ...options, retryable: true });
  }
}

/** A step `type` that no registered executor handles. */
export class UnknownStepTypeError extends VecronError {
  constructor(type: string, registered: string[], options: VecronErrorOptions = {}) {
    super(
      'UNKNOWN_STEP_TYPE',
      `unknown step type "${type}"; registered types: ${registered.length ? registered.join(', ') : '(none)'}`,
      { ...options, details: { type, registered } },
    );
  }
}

/** A file path escapes the area it is confined to. */
export class PathEscapeError extends VecronError {
  constructor(path: string, root: string, options: VecronErrorOptions = {}) {
    super('PATH_ESCAPE', `path "${path}" escapes its allowed root`, { ...options, details: { path, root } }, false);
  }
}

/** Storage failed (connection, constraint, migration). */
export class StorageError extends VecronError {
  constructor(message: string, options: VecronErrorOptions = {}) {
    super('STORAGE_FAILED', message, options, true);
  }
}

/**
 * The database holds a migration this code does not know: a newer version migrated it. Refused
 * at start, before anything is written; run that version (or a newer one) instead. Not retryable.
 */
export class SchemaTooNewError extends VecronError {
  constructor(owner: string, database: { id: number; label: string }, code: { id: number; label: string }, unknownMigrations: number[], options: VecronErrorOptions = {}) {
    super(
      'SCHEMA_TOO_NEW',
      `the database schema of ${owner} is at migration ${database.label}, newer than this code, which knows up to ${code.label}: a newer version migrated it, so run that version (or a newer one) here instead of this one`,
      { ...options, details: { owner, databaseVersion: database.id, codeVersion: code.id, unknownMigrations } },
    );
  }
}

/** The embedded data folder is already held by another process. */
export class DataDirLockedError extends VecronError {
  constructor(dataDir: string, holder: string, options: VecronErrorOptions = {}) {
    super('DATA_DIR_LOCKED', `data folder ${dataDir} is in use by another vecron process (${holder}); stop it or use another folder`, { ...options, details: { dataDir, holder } });
  }
}

/**
 * Something in the embedded data folder that other users can reach is group- or world-writable
 * (or the folder itself is), so its contents (password hashes, audit log, execution contexts)
 * could have been read or altered. Start-up refuses until a person has looked at it.
 */
export class DataDirInsecureError extends VecronError {
  constructor(filePath: string, mode: number, options: VecronErrorOptions = {}) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    super('DATA_DIR_INSECURE', `${filePath} is writable by group or others (mode ${octal}) and reachable by them; check it was not altered, then chmod -R go-rwx the data folder`, { ...options, details: { path: filePath, mode: octal } });
  }
}

/** A worker's lease on an execution was taken over; its writes are refused. */
export class LeaseLostError extends VecronError {
  constructor(executionId: string, options: VecronErrorOptions = {}) {
    super('LEASE_LOST', `lease on execution ${executionId} was lost`, { ...options, details: { executionId } });
  }
}

/** A job, execution, variable or other entity does not exist. */
export class NotFoundError extends VecronError {
  constructor(kind: string, id: string, options: VecronErrorOptions = {}) {
    super('NOT_FOUND', `${kind} ${id} not found`, { ...options, details: { kind, id } });
  }
}

/** A name that must be unique is taken, or a state transition is not allowed. */
export class ConflictError extends VecronError {
  constructor(message: string, options: VecronErrorOptions = {}) {
    super('CONFLICT', message, options);
  }
}

/** Encryption or decryption of a sensitive value failed (wrong key, tampered ciphertext). */
export class CryptoError extends VecronError {
  constructor(message: string, options: VecronErrorOptions = {}) {
    super('CRYPTO_FAILED', message, options);
  }
}

/** True when `err` should be retried. Unknown errors count as retryable (a crash is not a verdict). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof VecronError) return err.retryable;
  return true;
}

/**
 * A bug inside vecron itself (or a plugin object that breaks the executor contract) surfaced while
 * preparing a step. Never retried: running the same code again fails the same way.
 */
export class InternalError extends VecronError {
  constructor(message: string, options: VecronErrorOptions = {}) {
    super('INTERNAL_ERROR', message, { ...options, retryable: false });
  }
}

/** Normalises anything thrown into a JSON-safe error record for storage. */
export function toErrorRecord(err: unknown): { name: string; code: string; message: string; retryable: boolean; details?: Record<string, unknown> } {
  if (err instanceof VecronError) return err.toJSON();
  if (err instanceof Error) return { name: err.name, code: (err as { code?: string }).code ?? 'UNEXPECTED', message: err.message, retryable: true };
  return { name: 'Error', code: 'UNEXPECTED', message: String(err), retryable: true };
}
