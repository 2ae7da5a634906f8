import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { createSecretBox } from './crypto/index.js';
import type { SecretBox, SecretBoxKeys, SecretKeyInput } from './crypto/index.js';
import { ConflictError, NotFoundError, StorageError, ValidationError, VecronError } from './errors/errors.js';
import { createEventBus } from './events.js';
import type { CronEventBus, CronEventName, CronEvents } from './events.js';
import { createExecutorRegistry } from './executor/registry.js';
import { systemClock, sleep } from './internal/clock.js';
import { registerInternals } from './internal/cron-internals.js';
import { isUuid } from './internal/ids.js';
import type { Execution, LedgerEntry, StepAttempt, ExecutionStatus } from './model/execution.js';
import { TERMINAL_STATUSES } from './model/execution.js';
import type { JobDefinition } from './model/job-definition.js';
import type { JobDefinitionInput, StepInput } from './model/job-input.js';
import { validateJobDefinition } from './model/validate-job.js';
import type { JobValidationResult } from './model/validate-job.js';
import type { AnyExecutor } from './executor/executor.js';
import type { Job, JobFireTimes } from './model/job.js';
import { parseCronSystemOptions } from './options.js';
import type { CronSystemOptions, StartOptions } from './options.js';
import { memoryQueue } from './queue/memory-queue.js';
import { memoryCoordination } from './coordination/memory-coordination.js';
import { nextFireTimes, usesCalendar } from './schedule/index.js';
import { announceCreated } from './scheduler/announce.js';
import { createDispatcher } from './scheduler/dispatcher.js';
import type { Dispatcher } from './scheduler/dispatcher.js';
import { createScheduler } from './scheduler/scheduler.js';
import { createRetentionLoop } from './scheduler/retention.js';
import type { RetentionLoop } from './scheduler/retention.js';
import { runRetentionPass } from './scheduler/retention-pass.js';
import { purgeOptionsSchema } from './scheduler/retention-rules.js';
import { parseConfig } from './errors/zod-issues.js';
import type { RetentionCounts } from './scheduler/retention-pass.js';
import type { Scheduler } from './scheduler/scheduler.js';
import { embeddedStorage } from './storage/embedded/embedded-storage.js';
import type { ExecutionFilter, JobListFilter, SchedulerPause, Storage } from './storage/port.js';
import { createVariables } from './variables/variables.js';
import type { Variables } from './variables/variables.js';
import { createWorker } from './worker/worker.js';
import { DEFAULT_STEP_LOG_SETTINGS } from './worker/step-logs.js';
import type { StepLogStats } from './worker/step-logs.js';
import { recordedFiles } from './files/recorded-files.js';
import type { ExecutionFile } from './files/recorded-files.js';
import type { StepLogQuery, StoredStepLogLine } from './model/step-log.js';
import { jobCacheKey, readJob } from './coordination/job-cache.js';
import { createSchedulingApi } from './scheduler/scheduling-api.js';
import type { SchedulingApi } from './scheduler/scheduling-api.js';
import type { Worker } from './worker/worker.js';

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
  const opts = parseCronSystemOptions(input);
  const clock = opts.clock ?? systemClock;
  const logger: Logger = opts.logger ?? pino({ level: 'silent' });
  const registry = createExecutorRegistry(opts.executors);
  const queue = opts.queue ?? memoryQueue({ logger });
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const filesDir = path.resolve(opts.filesDir ?? (opts.dataDir ? path.join(opts.dataDir, 'files') : path.join(os.tmpdir(), 'vecron-files')));
  // In-process by default: a job-definition cache (saves a read per execution; invalidated here on
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
  const variablesFor = async (): Promise<ReturnType<typeof createVariables>> => createVariables(await storage(), box, clock);

  let scheduler: Scheduler | null = null;
  let dispatcher: Dispatcher | null = null;
  let retention: RetentionLoop | null = null;
  let worker: Worker | null = null;
  let workerLoop: Promise<void> | null = null;
  let stopped = false;
  let draining: Promise<void> | null = null;
  let dependenciesChecked = false;

  /**
   * Fail fast: the storage opens and the queue and coordination servers answer one round trip
   * before `startTimeoutMs`, or `start()` rejects naming the server and the cause. With
   * `strict: false` an unreachable coordination server is only reported.
   */
  const checkDependencies = async (): Promise<void> => {
    // The embedded store is opened without a deadline: it talks to no server, only to this
    // process's CPU (PGlite), and a busy machine makes it slow, not wrong.
    if (opts.storage) {
      const storageDeadline = AbortSignal.timeout(opts.startTimeoutMs);
      await beforeDeadline(storage(), storageDeadline, () => new StorageError(`the storage did not open within ${opts.startTimeoutMs} ms (startTimeoutMs)`, { retryable: true }));
    } else {
      await storage();
    }
    const signal = AbortSignal.timeout(opts.startTimeoutMs);
    await queue.check?.({ signal });
    try {
      await coordination.check?.({ signal });
    } catch (error) {
      if (opts.strict) throw error;
      logger.warn({ err: error }, 'coordination server unreachable at start; going on without it (strict: false)');
      events.emit('error', { where: 'coordination', error });
    }
  };

  const scheduling = createSchedulingApi({ storage, queue, events, clock, logger, defaultTimeZone: opts.timezone });

  /** The one validation (validateJobDefinition) with what only a running system knows: calendars and stored variables. */
  const check = async (input: unknown, jobId?: string): Promise<JobValidationResult> => {
    const s = await storage();
    const scopes = jobId && isUuid(jobId) ? ['', jobId] : [''];
    const [calendars, stored] = await Promise.all([scheduling.calendarNames(), s.listVariables(scopes)]);
    return validateJobDefinition(input, { executors: opts.executors, calendars, variables: new Set(stored.map((v) => v.name)) });
  };
  const validate = async (input: unknown, existing?: Job): Promise<JobDefinition> => {
    const result = await check(input, existing?.id);
    if (!result.valid || !result.definition) throw new ValidationError('job definition', result.issues);
    if (result.warnings.length) logger.warn({ warnings: result.warnings }, 'job definition saved with warnings');
    return withStoredTimeZone(result.definition, existing?.definition, opts.timezone);
  };

  // Disabled jobs keep their schedule so the ledger records their fires as skipped (disabled).
  const firstFire = (def: JobDefinition, now: Date): Promise<Date | null> => scheduling.firstEvent(def, now);

  const mustGetJob = async (id: string): Promise<Job> => {
    const job = isUuid(id) ? await (await storage()).getJob(id) : null;
    if (!job) throw new NotFoundError('job', id);
    return job;
  };

  /**
   * The job as the worker sees it: through the coordination cache (invalidated on every change of
   * the job, in every process; at worst 5 s (`JOB_CACHE_TTL_MS`) old when Redis is down), so a
   * trigger costs no read of the job row.
   */
  const cachedJob = async (id: string): Promise<Job> => {
    const job = isUuid(id) ? await readJob(await storage(), coordination, id) : null;
    if (!job) throw new NotFoundError('job', id);
    return job;
  };

  const replaceDefinition = async (job: Job, def: JobDefinition): Promise<Job> => {
    const now = clock.now();
    const scheduleChanged = JSON.stringify(def.schedule) !== JSON.stringify(job.definition.schedule);
    const turnedOn = def.enabled && !job.enabled;
    const recompute = scheduleChanged || turnedOn || def.triggers.scheduled !== job.definition.triggers.scheduled;
    // When nothing about when the job runs changed, its stored next fire stays as it is.
    return (await storage()).updateJob(job.id, {
      definition: def,
      now,
      ...(recompute ? { nextFireAt: await firstFire(def, now) } : {}),
      resetAnchor: scheduleChanged || turnedOn,
    });
  };

  const createJob = async (input: unknown): Promise<Job> => {
    const def = await validate(input);
    const now = clock.now();
    return (await storage()).createJob({ id: randomUUID(), definition: def, now, anchorAt: now, nextFireAt: await firstFire(def, now) });
  };
  const updateJob = async (id: string, input: unknown): Promise<Job> => {
    const existing = await mustGetJob(id);
    const job = await replaceDefinition(existing, await validate(input, existing));
    await coordination.invalidate(jobCacheKey(id));
    return job;
  };

  const system: CronSystem<X[number]> = {
    timezone: opts.timezone,
    jobs: {
      create: createJob,
      createFromJson: createJob,
      update: updateJob,
      updateFromJson: updateJob,
      validate: (input, { jobId } = {}) => check(input, jobId),
      get: async (id) => (isUuid(id) ? (await storage()).getJob(id) : null),
      getByName: async (name) => (await storage()).getJobByName(name),
      list: async (filter) => (await storage()).listJobs(filter),
      fireTimes: async (ids) => (await storage()).getFireTimes(ids.filter(isUuid)),
      async delete(id) {
        if (!isUuid(id)) return false;
        const deleted = await (await storage()).deleteJob(id);
        await coordination.invalidate(jobCacheKey(id));
        return deleted;
      },
      async enable(id) {
        const job = await mustGetJob(id);
        const updated = await replaceDefinition(job, { ...job.definition, enabled: true });
        await coordination.invalidate(jobCacheKey(id));
        return updated;
      },
      async disable(id) {
        const job = await mustGetJob(id);
        const updated = await replaceDefinition(job, { ...job.definition, enabled: false });
        await coordination.invalidate(jobCacheKey(id));
        return updated;
      },
      async preview(id, n) {
        const job = await mustGetJob(id);
        if (!usesCalendar(job.definition.schedule)) {
          return nextFireTimes(job.definition.schedule, clock.now(), n, { timeZone: opts.timezone, anchorMs: job.createdAt.getTime() });
        }
        const { entries } = await scheduling.explain(id, { n });
        return entries.filter((e) => e.runsAt !== null).map((e) => e.runsAt!);
      },
    },

    async trigger(jobId, options = {}) {
      const job = await cachedJob(jobId);
      const source = options.source ?? 'manual';
      if (source === 'manual' && !job.definition.triggers.manual) throw new ConflictError(`job ${job.name} does not allow manual triggers`);
      const now = clock.now();
      const s = await storage();
      const { execution, created } = await s.createExecution(
        {
          id: randomUUID(),
          jobId,
          idempotencyKey: `${source}:${options.idempotencyKey ?? randomUUID()}`,
          triggerSource: source,
          triggerMetadata: options.metadata ?? {},
          scheduledFor: null,
          availableAt: now,
          context: {
            steps: {},
            ...(options.payload === undefined ? {} : { payload: options.payload }),
            ...(options.webhook ? { webhook: { payload: options.webhook.payload, headers: options.webhook.headers ?? {}, query_params: options.webhook.query_params ?? {} } } : {}),
          },
        },
        now,
      );
      if (created) await announceCreated({ storage: s, queue, events, logger }, execution, now);
      return { executionId: execution.id, created };
    },

    executions: {
      get: async (id) => (isUuid(id) ? (await storage()).getExecution(id) : null),
      list: async (filter) => (filter?.jobId !== undefined && !isUuid(filter.jobId) ? [] : (await storage()).listExecutions(filter)),
      async latestPerJob(jobIds, { perJob, triggerMetadata }) {
        if (!Number.isInteger(perJob) || perJob < 1 || perJob > 100) throw new ValidationError('latestPerJob', [{ path: '$.perJob', message: 'must be an integer from 1 to 100' }]);
        const ids = [...new Set(jobIds)].filter(isUuid);
        const out = new Map<string, Execution[]>(ids.map((id) => [id, []]));
        const rows = await (await storage()).listLatestExecutionsPerJob(ids, perJob, triggerMetadata === undefined ? {} : { triggerMetadata });
        for (const e of rows) out.get(e.jobId)?.push(e);
        for (const list of out.values()) list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        return out;
      },
      async wait(id, { timeoutMs = 60_000, signal } = {}) {
        const s = await storage();
        const deadline = Date.now() + timeoutMs;
        let wake: (() => void) | null = null;
        const off = events.on('execution.finished', (e) => {
          if (e.executionId === id) wake?.();
        });
        try {
          for (;;) {
            const e = isUuid(id) ? await s.getExecution(id) : null;
            if (!e) throw new NotFoundError('execution', id);
            if (TERMINAL_STATUSES.has(e.status)) return e;
            if (Date.now() > deadline) throw new VecronError('WAIT_TIMEOUT', `execution ${id} still ${e.status} after ${timeoutMs} ms`, { retryable: true });
            await Promise.race([sleep(200, signal), new Promise<void>((r) => (wake = r))]);
          }
        } finally {
          off();
        }
      },
      async cancel(id) {
        if (!isUuid(id)) return null;
        const status = await (await storage()).requestCancel(id, clock.now());
        // Running here: abort now rather than at the next heartbeat.
        if (status === 'cancelling') worker?.cancelLocal(id);
        return status;
      },
      async discard(id, { by = null, reason = null } = {}) {
        if (!isUuid(id)) return false;
        return (await storage()).discardDeadLetter(id, { by: by && isUuid(by) ? by : null, reason, now: clock.now() });
      },
      async replay(id, { fromStart = false, idempotencyKey } = {}) {
        const s = await storage();
        const original = isUuid(id) ? await s.getExecution(id) : null;
        if (!original) throw new NotFoundError('execution', id);
        if (!TERMINAL_STATUSES.has(original.status)) throw new ConflictError(`execution ${id} is ${original.status}; only finished executions can be replayed`);
        const now = clock.now();
        const kept = fromStart ? {} : Object.fromEntries(Object.entries(original.context.steps ?? {}).filter(([, st]) => st.status === 'succeeded'));
        const { execution, created } = await s.createExecution(
          {
            id: randomUUID(),
            jobId: original.jobId,
            idempotencyKey: `replay:${idempotencyKey ?? randomUUID()}`,
            triggerSource: 'replay',
            triggerMetadata: { replay_of: id, from_start: fromStart },
            scheduledFor: original.scheduledFor,
            availableAt: now,
            context: { ...original.context, steps: kept, retry_delays_ms: [] },
            replayOf: id,
          },
          now,
        );
        if (created) await announceCreated({ storage: s, queue, events, logger }, execution, now);
        return { executionId: execution.id, created };
      },
      steps: async (id) => (isUuid(id) ? (await storage()).listStepAttempts(id) : []),
      logs: async (id, query) => (isUuid(id) ? (await storage()).listStepLogs(id, query) : []),
      files: async (id) => {
        const e = isUuid(id) ? await (await storage()).getExecution(id) : null;
        return e ? recordedFiles(filesDir, e) : [];
      },
    },

    variables: {
      set: async (v) => (await variablesFor()).set(v),
      list: async (jobId) => (await variablesFor()).list(jobId),
      delete: async (name, jobId) => (await variablesFor()).delete(name, jobId),
    },

    ledger: async (jobId, range) => (isUuid(jobId) ? (await storage()).listLedger(jobId, range) : []),
    calendars: scheduling.calendars,
    maintenance: {
      async pause(options = {}) {
        const s = await storage();
        const current = await s.getSchedulerPause();
        if (current) return current;
        const pause = { since: clock.now(), by: options.by ?? null, reason: options.reason ?? null };
        await s.setSchedulerPause(pause);
        logger.warn({ by: pause.by, reason: pause.reason }, 'schedulers paused: fires are recorded as skipped (paused) until resumed');
        return pause;
      },
      async resume() {
        const s = await storage();
        if (!(await s.getSchedulerPause())) return;
        await s.setSchedulerPause(null);
        logger.warn('schedulers resumed');
      },
      status: async () => (await storage()).getSchedulerPause(),
      async purge(input = {}) {
        const options = parseConfig(purgeOptionsSchema, input, 'purge options');
        const override = options.maxAgeDays !== undefined || options.keepLast !== undefined || options.ledgerMaxAgeDays !== undefined;
        const rules = override ? { maxAgeDays: options.maxAgeDays, keepLast: options.keepLast, ledgerMaxAgeDays: options.ledgerMaxAgeDays } : (opts.retention ?? {});
        if (options.jobId !== undefined && !isUuid(options.jobId)) throw new NotFoundError('job', options.jobId);
        const dryRun = options.dryRun;
        return runRetentionPass(
          { storage: await storage(), filesDir, logger, failedFolders: new Map(), onBatch: (c) => events.emit('retention.purged', c) },
          { rules, jobRules: !override, jobId: options.jobId, dryRun, batchSize: opts.retention?.batchSize ?? 500, pauseMs: opts.retention?.pauseMs ?? 50, now: clock.now() },
        );
      },
    },
    explain: (jobId, options) => scheduling.explain(jobId, options),
    backfill: (jobId, options) => scheduling.backfill(jobId, options),
    on: (event, listener) => events.on(event, listener),

    async start(start: StartOptions = {}) {
      if (stopped) throw new ConflictError('a stopped cron system cannot be started again; create a new one');
      if (!dependenciesChecked) {
        try {
          await checkDependencies();
        } catch (err) {
          // Leave nothing open (no reconnect loop, no socket), so a process that gives up can exit.
          await system.stop({ graceMs: 0 }).catch(() => undefined);
          throw err;
        }
        dependenciesChecked = true;
      }
      const s = await storage();
      const runScheduler = start.scheduler ?? true;
      const workerOpt = start.worker === undefined ? {} : start.worker;
      if (runScheduler && !scheduler) {
        scheduler = createScheduler({
          storage: s, queue, events, clock, logger: logger.child({ role: 'scheduler' }),
          settings: {
            pollIntervalMs: opts.pollIntervalMs, batchSize: 500, newExecutionId: randomUUID,
            defaultTimeZone: opts.timezone, maxFiresPerTick: opts.maxFiresPerTick, misfireThresholdMs: opts.misfireThresholdMs,
          },
        });
        scheduler.start();
        if (opts.retention?.enabled && !retention) {
          retention = createRetentionLoop({
            storage: s, events, clock, logger: logger.child({ role: 'retention' }), filesDir, settings: opts.retention, coordination,
          });
          retention.start();
        }
      }
      if (workerOpt && !worker && !draining) {
        worker = createWorker({
          coordination,
          storage: s, queue, executors: registry, variables: createVariables(s, box, clock), events, clock,
          logger: logger.child({ role: 'worker', workerId }),
          settings: {
            workerId, concurrency: workerOpt.concurrency ?? 4, leaseMs: opts.leaseMs, ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}), backoff: opts.backoff, filesDir,
            defaultTimeZone: opts.timezone, overlapRetryMs: Math.min(1_000, opts.pollIntervalMs),
            stepLogs: { ...DEFAULT_STEP_LOG_SETTINGS, ...opts.stepLogs },
          },
        });
        workerLoop = worker.start();
      }
      if ((scheduler || worker) && !dispatcher) {
        dispatcher = createDispatcher({
          coordination,
          storage: s, queue, events, clock, logger: logger.child({ role: 'dispatcher' }),
          settings: { intervalMs: opts.dispatchIntervalMs, republishAfterMs: opts.republishAfterMs, batchSize: 1_000 },
        });
        // After a restart an in-process queue is empty: publish everything pending once (a
        // durable queue still holds them: only what was never published goes out). A transient
        // failure here (a deadlock victim, a database blip) must not fail start(): the loop
        // repeats the full pass until it succeeds.
        const fullPass = queue.durable !== true;
        let republished = true;
        try {
          await dispatcher.tick(fullPass);
        } catch (error) {
          republished = false;
          logger.warn({ err: error }, 'first dispatch pass failed; the dispatcher loop retries it');
          events.emit('error', { where: 'dispatcher', error });
        }
        dispatcher.start({ republishAllFirst: fullPass && !republished });
      }
    },

    async stop({ graceMs = opts.shutdownGraceMs } = {}) {
      if (stopped) return;
      stopped = true;
      await retention?.stop();
      await scheduler?.stop();
      await dispatcher?.stop();
      await (draining ?? worker?.stop(graceMs));
      await workerLoop;
      // What this system created is always closed; what was passed in too unless closePassedIn
      // is false. Every close runs even when an earlier one fails; the first failure is thrown.
      const own = (given: unknown): boolean => given === undefined || opts.closePassedIn;
      const closes: Array<() => Promise<unknown>> = [];
      if (own(opts.queue)) closes.push(() => queue.close());
      if (own(opts.coordination)) closes.push(() => coordination.close());
      if (opts.closePassedIn) closes.push(() => registry.closeAll());
      if (storagePromise && own(opts.storage)) {
        const opened = storagePromise;
        closes.push(async () => {
          const s = await opened.catch(() => null); // a store that never opened has nothing to close
          await s?.close();
        });
      }
      const failed: unknown[] = [];
      for (const close of closes) await close().catch((err: unknown) => failed.push(err));
      if (failed.length) throw failed[0];
    },

    stepLogStats: () => worker?.stepLogStats() ?? { written: 0, dropped: 0, failedWrites: 0 },

    async drain({ graceMs = opts.shutdownGraceMs } = {}) {
      draining ??= (async () => {
        await worker?.stop(graceMs);
        await workerLoop;
      })();
      await draining;
    },
  };
  registerInternals(system, { storage, queue, events, scheduler: () => scheduler, dispatcher: () => dispatcher, worker: () => worker });
  return system;
}

/** Resolves with `p`, or rejects with `timeoutError()` once `signal` aborts first. */
async function beforeDeadline<T>(p: Promise<T>, signal: AbortSignal, timeoutError: () => Error): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(timeoutError());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
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

/**
 * A cron schedule's zone is decided when the job is saved, never when it fires: one without a
 * `timezone` gets the stored job's zone (an update that leaves it out) or else this system's
 * default, written into the definition. So a scheduler started with another `timezone` moves
 * no stored job's fires (the default only applies to jobs saved through it).
 */
export function withStoredTimeZone(def: JobDefinition, stored: JobDefinition | undefined, defaultTimeZone: string): JobDefinition {
  if (def.schedule?.type !== 'cron' || def.schedule.timezone !== undefined) return def;
  const previous = stored?.schedule?.type === 'cron' ? stored.schedule.timezone : undefined;
  return { ...def, schedule: { ...def.schedule, timezone: previous ?? defaultTimeZone } };
}

/** A ready secret box (as opposed to key material). */
function isSecretBox(v: unknown): v is SecretBox {
  const b = v as Partial<SecretBox> | null;
  return typeof b === 'object' && b !== null && typeof b.encrypt === 'function' && typeof b.decrypt === 'function' && typeof b.reencrypt === 'function';
}
