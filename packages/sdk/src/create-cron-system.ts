import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { createSecretBox } from './crypto/index.js';
import type { SecretBox, SecretBoxKeys, SecretKeyInput } from './crypto/index.js';
import { VecronError } from './errors/errors.js';
import { createEventBus } from './events.js';
import type { CronEventBus, CronEventName, CronEvents } from './events.js';
import { createExecutorRegistry } from './executor/registry.js';
import { systemClock } from './internal/clock.js';
import { registerInternals } from './internal/cron-internals.js';
import { isUuid } from './internal/ids.js';
import type { Execution, LedgerEntry, StepAttempt, ExecutionStatus } from './model/execution.js';
import type { JobDefinitionInput, StepInput } from './model/job-input.js';
import type { JobValidationResult } from './model/validate-job.js';
import type { AnyExecutor } from './executor/executor.js';
import type { Job, JobFireTimes } from './model/job.js';
import { parseCronSystemOptions } from './options.js';
import type { CronSystemOptions, StartOptions } from './options.js';
import { memoryQueue } from './queue/memory-queue.js';
import { memoryCoordination } from './coordination/memory-coordination.js';
import type { RetentionCounts } from './scheduler/retention-pass.js';
import { embeddedStorage } from './storage/embedded/embedded-storage.js';
import type { ExecutionFilter, JobListFilter, SchedulerPause, Storage } from './storage/port.js';
import { createVariables } from './variables/variables.js';
import type { Variables } from './variables/variables.js';
import type { StepLogStats } from './worker/step-logs.js';
import type { ExecutionFile } from './files/recorded-files.js';
import type { StepLogQuery, StoredStepLogLine } from './model/step-log.js';
import { createSchedulingApi } from './scheduler/scheduling-api.js';
import type { SchedulingApi } from './scheduler/scheduling-api.js';
import type { SystemContext } from './system/context.js';
import { noRoles } from './system/context.js';
import { createExecutionsApi, triggerJob } from './system/executions-api.js';
import { createJobsApi } from './system/jobs-api.js';
import { createMaintenanceApi } from './system/maintenance-api.js';
import { drainWorker, startRoles, stopSystem } from './system/roles.js';

/** Input of {@link CronSystem.trigger}. */
export interface TriggerOptions {
  /** Free JSON handed to the execution (`context.payload`). */
  payload?: unknown;
  /** Same key, same execution: a repeated call returns the first execution. @default a new UUID */
  idempotencyKey?: string;
  /** @default 'manual' */
  source?: 'manual' | 'webhook';
  /** Webhook request parts for `{{webhook.…}}` templates. */
  webhook?: { payload: unknown; headers?: Record<string, string>; query_params?: Record<string, string> };
  /** Extra facts recorded with the execution (who, from where). */
  metadata?: Record<string, unknown>;
}

/** Options of {@link CronSystem.maintenance}'s `purge`. */
export interface PurgeOptions {
  /** Count only; delete nothing. @default false */
  dryRun?: boolean;
  /** Only this job's history. */
  jobId?: string;
  /** Delete finished executions older than this many days (instead of the configured rules). */
  maxAgeDays?: number;
  /** Keep only the newest this many finished executions per job (instead of the configured rules). */
  keepLast?: number;
  /** Delete fire-ledger rows older than this many days (instead of the configured rules; default `maxAgeDays`). */
  ledgerMaxAgeDays?: number;
}

/**
 * A running vecron: jobs, executions, variables, events, and the roles started in this process.
 * `E` is the union of its executors: it types the steps of `jobs.create` and `jobs.update`.
 */
// `any` by default, so a system typed by its executors can be stored in a plain `CronSystem`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface CronSystem<E extends AnyExecutor = any> {
  readonly jobs: {
    /**
     * Validates and stores a job. Steps are typed by the system's executors (`type` one of theirs,
     * `config` theirs, templates allowed); for raw JSON use `jobs.createFromJson`.
     * Each step config is checked against its executor's schema as far as its templates allow.
     *
     * @throws ValidationError listing every problem with its JSON path
     * @throws ConflictError when the name is taken
     */
    create(definition: JobDefinitionInput<StepInput<E>>): Promise<Job>;
    /** `jobs.create` for a definition of unknown shape (parsed JSON, an API body). */
    createFromJson(definition: unknown): Promise<Job>;
    /** Replaces a job's definition (validated like `create`). @throws NotFoundError, ValidationError, ConflictError */
    update(id: string, definition: JobDefinitionInput<StepInput<E>>): Promise<Job>;
    /** `jobs.update` for a definition of unknown shape. */
    updateFromJson(id: string, definition: unknown): Promise<Job>;
    /**
     * Checks a definition without saving it, exactly as `create` would (for `jobId`: as `update`
     * of that job would), and lists warnings such as a `${VAR}` that is not defined yet.
     */
    validate(definition: unknown, options?: { jobId?: string }): Promise<JobValidationResult>;
    get(id: string): Promise<Job | null>;
    getByName(name: string): Promise<Job | null>;
    /** Jobs ordered by name; `search` matches a part of the name, description or a tag, ignoring case. */
    list(filter?: JobListFilter): Promise<Job[]>;
    delete(id: string): Promise<boolean>;
    enable(id: string): Promise<Job>;
    disable(id: string): Promise<Job>;
    /** The next `n` fire times of a stored job. */
    preview(id: string, n: number): Promise<Date[]>;
    /**
     * The stored next and last fire of each given job (one query): what the schedulers will act on
     * next, not a recomputation (null for a job without a schedule). Unknown ids are left out.
     */
    fireTimes(ids: string[]): Promise<JobFireTimes[]>;
  };
  /** Starts a job now (manual or webhook). Idempotent on `idempotencyKey`. */
  trigger(jobId: string, options?: TriggerOptions): Promise<{ executionId: string; created: boolean }>;
  readonly executions: {
    get(id: string): Promise<Execution | null>;
    list(filter?: ExecutionFilter): Promise<Execution[]>;
    /**
     * The newest `perJob` executions (1 … 100) of each job in one read, grouped by job id, newest
     * first (a job without runs maps to `[]`); `triggerMetadata` as in `list`. For history strips
     * of a page of jobs.
     */
    latestPerJob(jobIds: string[], options: { perJob: number; triggerMetadata?: Record<string, unknown> }): Promise<Map<string, Execution[]>>;
    /** Resolves with the execution once it is terminal. */
    wait(id: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<Execution>;
    /** Cancels a pending execution, or asks the running worker to abort it. */
    cancel(id: string): Promise<ExecutionStatus | null>;
    /** Runs a finished (typically dead-letter) execution again; keeps succeeded steps unless `fromStart`. */
    replay(id: string, options?: { fromStart?: boolean; idempotencyKey?: string }): Promise<{ executionId: string; created: boolean }>;
    /**
     * Takes an open dead letter out of the queue; the execution stays as evidence. `by` is the
     * user's id (a UUID) when known. False when it is not an open dead letter (another status,
     * already discarded or replayed).
     */
    discard(id: string, options?: { by?: string | null; reason?: string | null }): Promise<boolean>;
    /** Every attempt of every step, with backoff delays. */
    steps(id: string): Promise<StepAttempt[]>;
    /**
     * What the execution's steps logged through `ctx.logger` (as kept: see `stepLogs` of the
     * options), in the order stored; page on with `after` = the last line's `id`.
     */
    logs(id: string, query?: StepLogQuery): Promise<StoredStepLogLine[]>;
    /**
     * The files the execution's steps recorded in their outputs (`files[].path`, `file.path`) that
     * exist inside its file area on this machine; nothing outside that folder is ever listed.
     */
    files(id: string): Promise<ExecutionFile[]>;
  };
  readonly variables: Variables;
  /**
   * The IANA zone of cron schedules and date templates that name none (the `timezone` option,
   * `Asia/Ho_Chi_Minh` by default). A UI showing this system's times uses it unless told otherwise.
   */
  readonly timezone: string;
  /** Business calendars stored with the jobs (built-in `vn` plus your own). */
  readonly calendars: SchedulingApi['calendars'];
  /** The next `n` fires of a job with the shifted and skipped ones between them, and why. */
  explain: SchedulingApi['explain'];
  /** Creates the runs a date range would have had; `dryRun` lists them. Idempotent. */
  backfill: SchedulingApi['backfill'];
  /**
   * Cluster-wide maintenance switches, stored with the jobs so every process sees them.
   * `pause` stops every scheduler from firing at its next pass: fires that fall due meanwhile are
   * recorded as `skipped` with reason `paused` (never run later, never `missed`), and each job keeps
   * its own enabled state and anchor. `resume` lifts it; idempotent both ways.
   */
  readonly maintenance: {
    pause(options?: { by?: string; reason?: string }): Promise<SchedulerPause>;
    resume(): Promise<void>;
    /** The pause in force, or null. */
    status(): Promise<SchedulerPause | null>;
    /**
     * Runs one retention pass now, in batches like the scheduler's loop, and resolves with what it
     * deleted (`dryRun`: what it would delete; nothing is deleted, no file counted). Without rules
     * in `options` it applies the system's `retention` option and the jobs' own; with any of
     * `maxAgeDays`, `keepLast`, `ledgerMaxAgeDays` those rules apply to every job (or `jobId`'s)
     * instead. Open executions and unhandled dead letters are never deleted.
     */
    purge(options?: PurgeOptions): Promise<RetentionCounts>;
  };
  /** The fire ledger of a job: fired, skipped and missed instants with reasons. */
  ledger(jobId: string, range?: { from?: Date; to?: Date; limit?: number }): Promise<LedgerEntry[]>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends CronEventName>(event: E, listener: (payload: CronEvents[E]) => void): () => void;
  /** Starts the roles of this process. */
  start(options?: StartOptions): Promise<void>;
  /** Graceful stop: no new work; in-flight executions finish within the grace period or are handed back. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /**
   * Drains this process's worker: it takes no new work, lets what it runs finish within
   * `graceMs`, then hands the rest back (`pending`, for another worker). The scheduler and
   * dispatcher keep running; `stop()` still ends everything. Idempotent; resolves at once when
   * this process runs no worker.
   */
  drain(options?: { graceMs?: number }): Promise<void>;
  /**
   * Step log lines this process's worker stored and lost since it started (lost: a failed or
   * timed-out write, or a full buffer; the per-attempt caps are not counted). Zeros without a worker.
   */
  stepLogStats(): StepLogStats;
}

/**
 * Creates a cron system. With no options it runs on the embedded default: PGlite in memory,
 * an in-process queue, no servers.
 *
 * @example
 * ```ts
 * const cron = createCronSystem({ executors: [myExecutor], dataDir: './data' });
 * await cron.start();
 * const job = await cron.jobs.create({ name: 'hello', schedule: { type: 'fixed_rate', interval_seconds: 5 },
 *   steps: [{ id: 'say', type: 'echo', config: { message: 'hi' } }] });
 * ```
 */
export function createCronSystem<const X extends readonly AnyExecutor[] = AnyExecutor[]>(input: CronSystemOptions & { executors?: X } = {}): CronSystem<X[number]> {
  const ctx = createSystemContext(input);
  const { opts, storage, events } = ctx;
  const roles = noRoles();
  const variablesFor = async (): Promise<Variables> => createVariables(await storage(), ctx.box, ctx.clock);
  const system: CronSystem<X[number]> = {
    timezone: opts.timezone,
    jobs: createJobsApi<X[number]>(ctx),
    trigger: (jobId, options) => triggerJob(ctx, jobId, options),
    executions: createExecutionsApi(ctx, () => roles.worker),
    variables: {
      set: async (v) => (await variablesFor()).set(v),
      list: async (jobId) => (await variablesFor()).list(jobId),
      delete: async (name, jobId) => (await variablesFor()).delete(name, jobId),
    },
    ledger: async (jobId, range) => (isUuid(jobId) ? (await storage()).listLedger(jobId, range) : []),
    calendars: ctx.scheduling.calendars,
    maintenance: createMaintenanceApi(ctx),
    explain: (jobId, options) => ctx.scheduling.explain(jobId, options),
    backfill: (jobId, options) => ctx.scheduling.backfill(jobId, options),
    on: (event, listener) => events.on(event, listener),
    start: (start) => startRoles(ctx, roles, start),
    stop: ({ graceMs = opts.shutdownGraceMs } = {}) => stopSystem(ctx, roles, graceMs),
    stepLogStats: () => roles.worker?.stepLogStats() ?? { written: 0, dropped: 0, failedWrites: 0 },
    drain: ({ graceMs = opts.shutdownGraceMs } = {}) => drainWorker(roles, graceMs),
  };
  registerInternals(system, { storage, queue: ctx.queue, events, scheduler: () => roles.scheduler, dispatcher: () => roles.dispatcher, worker: () => roles.worker });
  return system;
}

/**
 * Resolves the options into the shared context: the given ports, or the embedded defaults (an
 * in-process queue and coordination, PGlite storage opened on first use). See docs/architecture.md.
 */
function createSystemContext(input: CronSystemOptions): SystemContext {
  const opts = parseCronSystemOptions(input);
  const clock = opts.clock ?? systemClock;
  const logger: Logger = opts.logger ?? pino({ level: 'silent' });
  const registry = createExecutorRegistry(opts.executors);
  const queue = opts.queue ?? memoryQueue({ logger });
  // notBefore is judged by the clock due-ness is (docs/architecture.md#clock), whoever wired the queue.
  queue.useClock?.(clock);
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const filesDir = path.resolve(opts.filesDir ?? (opts.dataDir ? path.join(opts.dataDir, 'files') : path.join(os.tmpdir(), 'vecron-files')));
  // In-process by default: a job-definition cache (saves a read per execution; invalidated on
  // every change) and in-process locks. Redis (`redisCoordination`) shares them across processes.
  const coordination = opts.coordination ?? memoryCoordination();
  const events = createEventBus((err) => logger.error({ err }, 'event listener threw'));
  if (!opts.logger) warnOncePerKind(events);
  const box = opts.encryptionKey === undefined ? null
    : isSecretBox(opts.encryptionKey) ? opts.encryptionKey
    : createSecretBox(opts.encryptionKey as SecretKeyInput | SecretBoxKeys);
  let storagePromise: Promise<Storage> | null = null;
  const storage = (): Promise<Storage> => {
    storagePromise ??= Promise.resolve(opts.storage ?? embeddedStorage(opts.dataDir ? { dataDir: opts.dataDir } : {}));
    return storagePromise;
  };
  const scheduling = createSchedulingApi({ storage, queue, events, clock, logger, defaultTimeZone: opts.timezone });
  return { opts, clock, logger, registry, queue, workerId, filesDir, coordination, events, box, storage, openedStorage: () => storagePromise, scheduling };
}

/**
 * Without a logger, the first background error of each kind (where + code) still reaches stderr
 * as a `VecronWarning` process warning: a wrong NATS address must not be silent. Later ones of the
 * same kind are not printed (a reconnecting server would flood the terminal).
 */
function warnOncePerKind(events: CronEventBus): void {
  const seen = new Set<string>();
  events.on('error', ({ where, error }) => {
    const code = error instanceof VecronError ? error.code : String((error as { code?: unknown } | null)?.code ?? 'UNEXPECTED');
    const kind = `${where.split(' ')[0]}:${code}`;
    if (seen.has(kind)) return;
    seen.add(kind);
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`${where}: ${message} (printed once per kind; pass createCronSystem({ logger }) to log every occurrence)`, { type: 'VecronWarning', code });
  });
}

/** A ready secret box (as opposed to key material). */
function isSecretBox(v: unknown): v is SecretBox {
  const b = v as Partial<SecretBox> | null;
  return typeof b === 'object' && b !== null && typeof b.encrypt === 'function' && typeof b.decrypt === 'function' && typeof b.reencrypt === 'function';
}
