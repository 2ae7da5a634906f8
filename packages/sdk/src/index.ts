/**
 * `@vecron/sdk` — the vecron core: what an application that embeds vecron and the author of a
 * plugin (an executor, a storage, queue or coordination adapter) need. Schedule math, business
 * calendars, templates and secrets have their own entry points: `@vecron/sdk/schedule`,
 * `@vecron/sdk/calendar`, `@vecron/sdk/template`, `@vecron/sdk/crypto`; the distributed adapters
 * are `@vecron/sdk/postgres`, `@vecron/sdk/nats`, `@vecron/sdk/redis`; conformance suites and test
 * helpers `@vecron/sdk/testing`. How the pieces fit: docs/architecture.md.
 *
 * @example
 * ```ts
 * import { createCronSystem, defineExecutor } from '@vecron/sdk';
 * import { z } from 'zod';
 *
 * const echo = defineExecutor({
 *   type: 'echo',
 *   config: z.object({ message: z.string() }),
 *   async execute(config, ctx) { ctx.logger.info('echo'); return { said: config.message }; },
 * });
 * const cron = createCronSystem({ executors: [echo] });
 * await cron.start();
 * const job = await cron.jobs.create({
 *   name: 'hello', schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI' },
 *   steps: [{ id: 'say', type: 'echo', config: { message: 'run {{execution_id}}' } }],
 * });
 * ```
 *
 * Exports, by who needs them:
 * - embedding: `createCronSystem` and its options, events and API types; the embedded adapters
 *   `embeddedStorage`, `memoryQueue`, `memoryCoordination`; `DEFAULT_TIME_ZONE`, `isValidTimeZone`;
 * - job files: `jobDefinitionSchema`, `parseJobDefinition`, `validateJobDefinition`,
 *   `jobDefinitionJsonSchema`, `variableNameSchema`, `overlapPolicyOf`, the execution statuses;
 *   migration from the seed format (`convertSeedJob`, `convertSeedJobs`, `splitSeedNotes`);
 * - executor plugins: `defineExecutor`, `StepContext`, `createFileArea`, `resolveInside`,
 *   `createCircuitBreakers`, the outbound address policy (`checkOutboundHost`, …), the error
 *   classes, `parseConfig`, `zodIssues`, `toJsonPath`;
 * - adapter plugins: the port interfaces (`Storage`, `Queue`, `Coordination`) and the SQL seam
 *   (`createSqlStorage`, `migrate`, `SqlClient`).
 *
 * @packageDocumentation
 */
export { createCronSystem } from './create-cron-system.js';
export type { CronSystem, TriggerOptions, PurgeOptions } from './create-cron-system.js';
export type { RetentionCounts } from './scheduler/retention-pass.js';
export type { SchedulingApi, Explanation, ExplainEntry, BackfillResult } from './scheduler/scheduling-api.js';
export type { CronSystemOptions, StartOptions, ResolvedCronSystemOptions, RetentionOptions } from './options.js';
export type { CronEvents, CronEventName, CronEventBus } from './events.js';

export {
  VecronError, ValidationError, ConfigError, TemplateError, ScheduleError, StepTimeoutError, JobTimeoutError,
  CancelledError, ShutdownError, CircuitOpenError, NonRetryableError, RetryAfterError, TransientError,
  UnknownStepTypeError, PathEscapeError, StorageError, SchemaTooNewError, DataDirLockedError, DataDirInsecureError, LeaseLostError, NotFoundError,
  ConflictError, CryptoError, InternalError, isRetryable, toErrorRecord,
} from './errors/errors.js';
export type { VecronErrorCode, VecronErrorCodes } from './errors/codes.js';
export type { VecronErrorOptions, ValidationIssue } from './errors/errors.js';
export { zodIssues, toJsonPath, parseConfig } from './errors/zod-issues.js';

export {
  jobDefinitionSchema, variableNameSchema, parseJobDefinition, jobDefinitionJsonSchema, overlapPolicyOf,
} from './model/job-definition.js';
export type { JobDefinition, JobRetention, StepDefinition, OverlapPolicy } from './model/job-definition.js';
export type { JobDefinitionInput, StepInput, StepFieldsInput, StepConfigInput, Templated, TemplateString } from './model/job-input.js';
export { validateJobDefinition } from './model/validate-job.js';
export type { JobValidationContext, JobValidationResult } from './model/validate-job.js';
export type { Job, JobFireTimes } from './model/job.js';
export { EXECUTION_STATUSES, TERMINAL_STATUSES } from './model/execution.js';
export { STEP_LOG_LEVELS } from './model/step-log.js';
export type { StepLogLevel, StepLogLine, StoredStepLogLine, StepLogQuery } from './model/step-log.js';
export type { StepLogStats } from './worker/step-logs.js';
export type {
  Execution, ExecutionStatus, ExecutionContext, StepState, StepAttempt, LedgerEntry, TriggerSource, ErrorRecord,
} from './model/execution.js';

export { defineExecutor } from './executor/executor.js';
export type { Executor, AnyExecutor, StepContext } from './executor/executor.js';
export { createFileArea, resolveInside } from './files/file-area.js';
export type { FileArea } from './files/file-area.js';
export { recordedFiles } from './files/recorded-files.js';
export type { ExecutionFile } from './files/recorded-files.js';
export { createCircuitBreakers } from './reliability/circuit-breaker.js';
export type { CircuitBreakers, CircuitBreakerOptions } from './reliability/circuit-breaker.js';
export type { BackoffOptions } from './reliability/backoff.js';
export type { Clock } from './internal/clock.js';

export type { Storage, DueSchedule, FireSpec, FireDecision, FireSkip, FireState, PlannedFire, NewExecution, ClaimResult, ClaimAndStartResult, OpenedStepAttempt, ExecutionFilter, JobListFilter, StoredVariable, SchedulerPause, DispatchReason, DeadLetterFilter, ExecutionStats, PurgedExecutions } from './storage/port.js';
export type { SqlClient, SqlQueryOptions } from './storage/sql/sql-client.js';
export { createSqlStorage } from './storage/sql/sql-storage.js';
export type { SqlStorageOptions } from './storage/sql/sql-storage.js';
export { migrate } from './storage/sql/migrations.js';
export type { Migration, SchemaDefinition, AppliedMigration } from './storage/sql/migrations.js';
export { embeddedStorage } from './storage/embedded/embedded-storage.js';
export type { EmbeddedStorageOptions } from './storage/embedded/embedded-storage.js';
export type { Queue, QueueMessage, QueueHandler, PublishOptions } from './queue/port.js';
export { memoryQueue } from './queue/memory-queue.js';
export type { MemoryQueueOptions } from './queue/memory-queue.js';
export type { Variables, VariableView } from './variables/variables.js';
export { encryptPermissionReason } from './variables/variables.js';
export type { Coordination, CoordinationLock, LockAttempt, RateLimitResult } from './coordination/port.js';
export { memoryCoordination } from './coordination/memory-coordination.js';
export type { MemoryCoordinationOptions } from './coordination/memory-coordination.js';

export * from './net/index.js';
export * from './migrate/index.js';
export { DEFAULT_TIME_ZONE, isValidTimeZone } from './time/zoned.js';
