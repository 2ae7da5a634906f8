import type { AppliedMigration, SchemaDefinition } from './sql/migrations.js';
import type { SqlClient } from './sql/sql-client.js';
import type { JobDefinition } from '../model/job-definition.js';
import type { Job, JobFireTimes } from '../model/job.js';
import type {
  ErrorRecord, Execution, ExecutionContext, ExecutionStatus, LedgerEntry, StepAttempt, TriggerSource,
} from '../model/execution.js';
import type { StepLogLine, StepLogQuery, StoredStepLogLine } from '../model/step-log.js';

/**
 * Why the dispatcher publishes an execution: `new` (never published), `requeued` (a retry or a
 * hand-back put it back to pending), `lease_expired` (its worker stopped renewing the lease: a
 * reclaim), `republish` (published earlier but not started within republishAfterMs: a lost message).
 */
export type DispatchReason = 'new' | 'requeued' | 'lease_expired' | 'republish';

/**
 * The fields of a job definition that decide its fires: all a fire decision may read. The storage
 * reads only these from a due job, not the whole definition (steps, variables, notes).
 */
export type FireSpec = Pick<JobDefinition, 'schedule' | 'catchup' | 'misfire_policy' | 'triggers' | 'allow_concurrent' | 'overlap_policy' | 'jitter_seconds'>;

/** A due schedule row handed to the scheduler's decision inside the claim transaction. */
export interface DueSchedule {
  jobId: string;
  /**
   * The job's fire-deciding fields. Due jobs whose fields are equal may share one object (read
   * only), so a caller may memoise on its identity (thousands of jobs on one cron expression).
   */
  definition: Readonly<FireSpec>;
  enabled: boolean;
  nextFireAt: Date;
  lastFireAt: Date | null;
  lastFinishedAt: Date | null;
  anchorAt: Date;
  /**
   * Executions of the job that are pending. Counted only for jobs whose overlap policy reads it
   * (not `allow` or `queue_all`, which never look at open executions); 0 for the others.
   */
  pendingCount: number;
  /** Executions of the job that are running or cancelling; counted as {@link DueSchedule.pendingCount}. */
  runningCount: number;
}

/** One fire to create: the nominal instant, and optionally a later start (jitter) and a ledger note (a calendar shift). */
export type PlannedFire = Date | { at: Date; availableAt?: Date; reason?: string | null };

/** What the scheduler decided for one due schedule. */
export interface FireDecision {
  /** Instants to create executions for (idempotent on the instant). */
  fire: PlannedFire[];
  /** Instants not fired, with the reason, for the ledger. */
  skip: Array<{ at: Date; outcome: 'skipped' | 'missed'; reason: string }>;
  /** The next due instant, or null when the schedule is exhausted. */
  nextFireAt: Date | null;
  /** Cancel the job's open executions before creating the new ones (overlap policy `cancel_other`). */
  cancelOpen?: boolean;
}

/** A fire not created, as recorded in the ledger: skipped (calendar, overlap, disabled, paused) or missed (catch-up policy). */
export interface FireSkip {
  jobId: string;
  fireAt: Date;
  outcome: 'skipped' | 'missed';
  reason: string;
}

/**
 * What `Storage.fireDueSchedules` reports of the cluster state in its claim's transaction
 * (`fireState`): the pause, as {@link Storage.getSchedulerPause} would read it, and the stored
 * calendars, as {@link Storage.listCalendars} would list them, with their version (changed by
 * every put and delete of a calendar) — `null` when the version is still the one the caller gave.
 */
export interface FireState {
  paused: boolean;
  calendars: { version: string; list: Array<{ name: string; definition: unknown; updatedAt: Date }> } | null;
}

/** A new execution. */
export interface NewExecution {
  id: string;
  jobId: string;
  idempotencyKey: string;
  triggerSource: TriggerSource;
  triggerMetadata?: Record<string, unknown>;
  scheduledFor?: Date | null;
  availableAt: Date;
  context?: ExecutionContext;
  replayOf?: string | null;
}

/** Result of a claim attempt. */
export type ClaimResult =
  | { claimed: true; execution: Execution }
  | { claimed: false; reason: 'not_claimable' | 'not_available_yet' | 'overlap'; execution: Execution | null };

/** A step attempt just opened: its number and how many earlier attempts of the step failed. */
export interface OpenedStepAttempt {
  attempt: number;
  previousFailures: number;
}

/**
 * Result of {@link Storage.claimAndStartStep}: the claim's, and the attempt of the first step
 * opened with it — null when the claim failed, the row belongs to another job, it is
 * `cancelling`, or its stored context already has the step finished (succeeded, skipped or failed).
 */
export type ClaimAndStartResult = ClaimResult & { step: OpenedStepAttempt | null };

/** Filters of {@link Storage.listJobs}; jobs come ordered by name. */
export interface JobListFilter {
  enabled?: boolean;
  /** Case-insensitive substring of the name, the description or one of the tags. */
  search?: string;
  limit?: number;
  offset?: number;
}

/** Filters of {@link Storage.listExecutions}. */
export interface ExecutionFilter {
  jobId?: string;
  status?: ExecutionStatus | ExecutionStatus[];
  triggerSource?: TriggerSource;
  createdFrom?: Date;
  createdTo?: Date;
  /** Only executions whose `trigger_metadata` contains these keys and values (JSON containment). */
  triggerMetadata?: Record<string, unknown>;
  /** True: only executions that were replayed (another execution's `replayOf` is theirs); false: only those not replayed. */
  replayed?: boolean;
  /** True: only dead letters a person discarded; false: only those not discarded. */
  discarded?: boolean;
  /**
   * Keyset paging: only executions listed after this one (the list runs newest first, ties by id
   * descending). Pass the last row of a page to get the next page at the cost of the first.
   */
  after?: { createdAt: Date; id: string };
  limit?: number;
  offset?: number;
}

/** A stored variable; `value` is ciphertext when `sensitive`. */
export interface StoredVariable {
  scope: string;
  name: string;
  value: string;
  sensitive: boolean;
  updatedAt: Date;
}

/**
 * The storage port: the domain operations vecron needs, each atomic. Adapters: the embedded
 * store (PGlite) and PostgreSQL share one SQL implementation. Every method that writes on behalf
 * of a worker takes the fencing token from its claim and changes nothing when the token is stale.
 */
export interface Storage {
  // jobs
  createJob(job: { id: string; definition: JobDefinition; now: Date; anchorAt: Date; nextFireAt: Date | null }): Promise<Job>;
  /** Replaces the definition; `nextFireAt` undefined keeps the stored next fire. */
  updateJob(id: string, patch: { definition: JobDefinition; now: Date; nextFireAt?: Date | null; resetAnchor?: boolean }): Promise<Job>;
  getJob(id: string): Promise<Job | null>;
  getJobByName(name: string): Promise<Job | null>;
  listJobs(filter?: JobListFilter): Promise<Job[]>;
  deleteJob(id: string): Promise<boolean>;
  /** The next and last fire of each of the given jobs (null when it has none; one query; unknown ids are left out). */
  getFireTimes(jobIds: string[]): Promise<JobFireTimes[]>;

  // schedules
  /**
   * In one transaction: locks up to `limit` schedules due at `now` (`FOR UPDATE SKIP LOCKED`),
   * asks `decide` what to do with each, inserts the fired executions idempotently (a fire's
   * ledger note in its `triggerMetadata.reason`), records the skipped and missed instants in the
   * ledger and advances `next_fire_at`. Any number of schedulers may call it concurrently.
   */
  fireDueSchedules(args: {
    now: Date; limit: number; decide: (due: DueSchedule) => FireDecision; newExecutionId: () => string;
    /**
     * Writes the new executions as published at `now`, in the same statement: for a caller that
     * publishes them right after the commit and hands the ones it could not to
     * {@link Storage.markUnpublished}, so the dispatcher neither publishes them meanwhile nor
     * needs a second write per execution. After a crash in between, the dispatcher republishes
     * them once `republishAfterMs` has passed. @default false
     */
    markPublished?: boolean;
    /**
     * Definitions whose fire decision the caller shares: for these, `decide` depends only on the
     * definition, `nextFireAt` and `enabled` (it reads no job id, open counts, anchor or last
     * fire). The storage may then ask `decide` once for all due schedules that share those three —
     * with one of their job ids and zero open counts — and apply the answer to every one of them in
     * one statement: a midnight burst of 100,000 schedules on one cron expression is one decision
     * and one write, not 100,000 of each. Without it, `decide` is asked per schedule.
     */
    sharedDecision?: (definition: Readonly<FireSpec>) => boolean;
    /**
     * Called with the skipped and missed fires the call recorded, of every schedule (also those
     * decided once for many, whose skips `decide` saw for only one of them), before it resolves.
     */
    onSkipped?: (skips: FireSkip[]) => void;
    /**
     * The cluster state fire decisions read, asked for with the claim so that it costs no query
     * of its own: the storage calls `report` once per call, in the claim's transaction and before
     * the first `decide`, with whether the scheduler pause is set and — only when their version
     * is not `calendarsVersion` (null: unknown) — the stored calendars (see {@link FireState}).
     * A call that decides nothing need not report. A storage that does not know this argument
     * never calls `report`; its caller then reads the pause and the calendars itself.
     */
    fireState?: { calendarsVersion: string | null; report: (state: FireState) => void };
  }): Promise<Execution[]>;
  /** Records when the last execution of a job finished (for `fixed_delay`) and reschedules it. */
  markScheduleFinished(jobId: string, finishedAt: Date, nextFireAt: Date | null): Promise<void>;

  // executions
  /**
   * Inserts an execution; on a duplicate `(jobId, idempotencyKey)` returns the existing one with `created: false`.
   * With `markPublished`, a new row is written as published at `now` in the same statement, as
   * `fireDueSchedules({ markPublished })` does: for a caller that publishes it right after the
   * commit and hands it to {@link Storage.markUnpublished} if that fails, so an execution costs no
   * second write and the worker's claim never waits behind one on the same row. After a crash in
   * between, the dispatcher republishes it once `republishAfterMs` has passed.
   */
  createExecution(e: NewExecution, now: Date, options?: { markPublished?: boolean }): Promise<{ execution: Execution; created: boolean }>;
  getExecution(id: string): Promise<Execution | null>;
  listExecutions(filter?: ExecutionFilter): Promise<Execution[]>;
  /**
   * The newest `perJob` executions of each of `jobIds` in one read (newest first within a job, ties
   * by id descending; jobs in no particular order), optionally only those whose `trigger_metadata`
   * contains `triggerMetadata`. Walks the (job_id, created_at) index once per job.
   */
  listLatestExecutionsPerJob(jobIds: string[], perJob: number, filter?: Pick<ExecutionFilter, 'triggerMetadata'>): Promise<Execution[]>;
  /**
   * Conditional claim: succeeds when the row is `pending` and available, or `running` with an
   * expired lease. Sets a lease and a new fencing token. With `exclusive`, refuses while another
   * execution of the same job is running (`reason: 'overlap'`); with `fifo` as well, while an
   * older execution of the job is still pending (runs one at a time, in order).
   */
  claimExecution(id: string, args: { owner: string; leaseMs: number; now: Date; exclusive: boolean; fifo?: boolean }): Promise<ClaimResult>;
  /**
   * {@link Storage.claimExecution} and, in the same statement, {@link Storage.startStepAttempt} of
   * `stepId` — the first step of `jobId`'s definition — when the claimed row is that job's,
   * `running` (not `cancelling`) and its stored context does not have the step finished. The
   * claim is the same whether or not the step opens. One write to start a run instead of two.
   */
  claimAndStartStep(id: string, args: { owner: string; leaseMs: number; now: Date; exclusive: boolean; fifo?: boolean; jobId: string; stepId: string }): Promise<ClaimAndStartResult>;
  /** Extends the lease; `ok: false` when the token is stale. Reports a pending cancel request. */
  extendLease(id: string, token: number, args: { leaseMs: number; now: Date }): Promise<{ ok: boolean; cancelRequested: boolean }>;
  /** Persists context and current step; false when the token is stale. */
  saveProgress(id: string, token: number, args: { context: ExecutionContext; currentStep: string | null }): Promise<boolean>;
  /**
   * Opens the next attempt of a step (marking an earlier attempt left `running` by a dead
   * worker as `abandoned`). Returns its number and how many earlier attempts failed; null when
   * the token is stale.
   */
  startStepAttempt(id: string, token: number, stepId: string, now: Date): Promise<OpenedStepAttempt | null>;
  /**
   * A step succeeded: closes its attempt and saves the context in ONE transaction, so a crash
   * cannot leave a finished step that a resumed execution would run again. False when the token is stale.
   */
  recordStepSuccess(id: string, token: number, args: { stepId: string; attempt: number; context: ExecutionContext; now: Date }): Promise<boolean>;
  /** Closes a step attempt; false when the token is stale. */
  finishStepAttempt(id: string, token: number, args: { stepId: string; attempt: number; status: 'succeeded' | 'failed'; error: ErrorRecord | null; retryDelayMs: number | null; now: Date }): Promise<boolean>;
  /**
   * The last step succeeded: {@link Storage.recordStepSuccess} and {@link Storage.completeExecution}
   * with status `success` in ONE statement, so the step's attempt, the context and the final status
   * commit together. False (nothing written) when the token is stale.
   */
  completeWithStepSuccess(id: string, token: number, args: { stepId: string; attempt: number; context: ExecutionContext; now: Date }): Promise<boolean>;
  /** Final status; false when the token is stale. */
  completeExecution(id: string, token: number, args: { status: ExecutionStatus; error: ErrorRecord | null; context: ExecutionContext; now: Date }): Promise<boolean>;
  /**
   * Hands the execution back as `pending` (retry with backoff, or release on shutdown).
   * `incrementAttempt` is true for a retry, false for a release.
   */
  requeueExecution(id: string, token: number, args: { availableAt: Date; incrementAttempt: boolean; error: ErrorRecord | null; context: ExecutionContext; now: Date }): Promise<boolean>;
  /** Cancels a pending execution at once, or marks a running one `cancelling`. Returns the new status. */
  requestCancel(id: string, now: Date): Promise<ExecutionStatus | null>;
  /**
   * Executions that must be (re)published: pending ones not published within `republishAfterMs`,
   * and running ones whose lease expired and that were not published since it expired (or not
   * within `republishAfterMs`). `fencingToken` is the row's current token (null if never
   * claimed): a publish after a claim is a new generation for queue de-duplication.
   */
  findExecutionsToDispatch(args: { now: Date; republishAfterMs: number; limit: number }): Promise<Array<{ id: string; jobId: string; availableAt: Date; fencingToken: number | null; reason: DispatchReason }>>;
  markPublished(ids: string[], now: Date): Promise<void>;
  /** The publish of these pending executions failed: clears their published instant, so the dispatcher's next pass publishes them. */
  markUnpublished(ids: string[]): Promise<void>;
  listStepAttempts(executionId: string): Promise<StepAttempt[]>;
  /**
   * The fire ledger of a job in instant order, `from` inclusive, `to` exclusive, at most `limit`
   * (default 10,000): the recorded outcomes, and a `fired` entry for each scheduled or backfilled
   * execution keyed `fire:<instant>` that has none (reason: its `triggerMetadata.reason`, or
   * `backfill`; recorded at its creation). Fires record no outcome of their own.
   */
  listLedger(jobId: string, args?: { from?: Date; to?: Date; limit?: number }): Promise<LedgerEntry[]>;
  /** Records a fire outcome idempotently (first writer wins). */
  recordLedger(entry: LedgerEntry): Promise<void>;

  // step logs
  /**
   * Stores step log lines (any executions, one statement). Idempotent on
   * `(executionId, stepId, attempt, seq)`: a line written twice is kept once. Lines of an
   * execution that no longer exists are dropped.
   */
  appendStepLogs(lines: StepLogLine[]): Promise<void>;
  /** An execution's stored step log lines in the order they were stored (by `id`), filtered and paged. */
  listStepLogs(executionId: string, query?: StepLogQuery): Promise<StoredStepLogLine[]>;

  // variables
  setVariable(v: StoredVariable): Promise<void>;
  /** Variables of one scope, of several (one query), or of every scope. */
  listVariables(scope?: string | string[]): Promise<StoredVariable[]>;
  deleteVariable(scope: string, name: string): Promise<boolean>;

  /**
   * Replaces a variable's value only while it still is `from` (a compare-and-set, e.g. for
   * re-encryption under a new key); `updated_at` is kept. False when it changed meanwhile or is gone.
   */
  replaceVariableValue(scope: string, name: string, args: { from: string; to: string }): Promise<boolean>;

  // read model (dead letters, counts) for operators and metrics
  /**
   * Open dead letters: executions in `dead_letter` that nobody discarded and that were not
   * replayed, newest first.
   */
  listDeadLetters(filter?: DeadLetterFilter): Promise<Execution[]>;
  /**
   * Takes an open dead letter out of the queue (the execution row stays as evidence). False when
   * it is not an open dead letter (unknown, another status, already discarded or replayed).
   */
  discardDeadLetter(id: string, args: { by: string | null; reason: string | null; now: Date }): Promise<boolean>;
  /**
   * Retention by age: deletes up to `limit` finished executions (success, failed, timeout,
   * cancelled, and dead letters only once handled: discarded or replayed) that finished before
   * `finishedBefore`, oldest first, with their step attempts and logs, in one short statement that
   * skips rows another transaction holds (`FOR UPDATE SKIP LOCKED`), so it never waits for or
   * blocks a claim. Open executions are never touched. `jobId` limits it to one job,
   * `exceptJobIds` leaves those jobs out (the ones with a policy of their own). Returns the deleted
   * executions (their file folders are the caller's); with `dryRun`, only the count one such batch
   * would delete.
   */
  purgeExecutions(args: { finishedBefore: Date; limit: number; jobId?: string; exceptJobIds?: string[]; dryRun?: boolean }): Promise<PurgedExecutions>;
  /**
   * Retention by count: keeps a job's newest `keepLast` finished executions (open dead letters
   * among them count, and stay whatever their rank) and deletes up to `limit` of the older
   * purgeable ones, oldest first, like {@link Storage.purgeExecutions}.
   */
  purgeExecutionsBeyond(args: { jobId: string; keepLast: number; limit: number; dryRun?: boolean }): Promise<PurgedExecutions>;
  /**
   * Retention of the fire ledger: deletes up to `limit` ledger rows whose instant is before
   * `firedBefore`, oldest first, skipping locked rows; returns how many (with `dryRun`, how many
   * one such batch would delete). `jobId` / `exceptJobIds` as in {@link Storage.purgeExecutions}.
   */
  purgeLedger(args: { firedBefore: Date; limit: number; jobId?: string; exceptJobIds?: string[]; dryRun?: boolean }): Promise<number>;
  /** Cluster-wide execution counts at the database's clock, for metrics. */
  executionStats(): Promise<ExecutionStats>;
  /** Executions running or cancelling under an unexpired lease, counted by lease owner (worker id). */
  countHeldExecutions(): Promise<Record<string, number>>;

  // calendars
  putCalendar(name: string, definition: unknown, now: Date): Promise<void>;
  listCalendars(): Promise<Array<{ name: string; definition: unknown; updatedAt: Date }>>;
  deleteCalendar(name: string): Promise<boolean>;

  // cluster-wide pause of every scheduler
  /** The scheduler pause in force, or null when schedulers fire. */
  getSchedulerPause(): Promise<SchedulerPause | null>;
  /** Sets (or with null, lifts) the pause every scheduler honours at its next pass. */
  setSchedulerPause(pause: SchedulerPause | null): Promise<void>;

  // schema
  /**
   * Applies the pending migrations of another owner's tables in the same database (the reference
   * server's users, roles, webhooks, audit log, cluster registry), recorded in `vecron_migrations`
   * under `schema.owner` and under the same advisory lock as the core's, and returns the SQL client
   * for that owner's own tables (never for the core's: those are read and written through this
   * port). Throws `SchemaTooNewError` when the database holds a migration of the owner this code
   * does not know.
   */
  attachSchema(schema: SchemaDefinition): Promise<SqlClient>;
  /** Every applied migration, by owner and id. */
  listMigrations(): Promise<AppliedMigration[]>;

  /** Releases connections and locks. Idempotent. */
  close(): Promise<void>;
}

/** What one retention batch deleted ({@link Storage.purgeExecutions}, {@link Storage.purgeExecutionsBeyond}). */
export interface PurgedExecutions {
  /** How many executions were deleted; in a dry run, how many the batch would delete. */
  count: number;
  /** The deleted executions (for their file folders); empty in a dry run. */
  executions: Array<{ id: string; jobId: string }>;
}

/** Filters of {@link Storage.listDeadLetters}. */
export interface DeadLetterFilter {
  jobId?: string;
  /** Only this execution (to ask whether it is an open dead letter). */
  id?: string;
  /** @default 100 */
  limit?: number;
  offset?: number;
}

/** What {@link Storage.executionStats} counts, cluster-wide. */
export interface ExecutionStats {
  /** Executions `pending` (due or not). */
  pending: number;
  /** Executions `running` or `cancelling`. */
  running: number;
  /** Age of the oldest pending execution that is due, in seconds; 0 when none. */
  oldestDuePendingSeconds: number;
  /** Executions in `dead_letter` (handled or not). */
  deadLetters: number;
}

/**
 * A cluster-wide pause of every scheduler: fires that fall due meanwhile are recorded in the
 * ledger as `skipped (paused)` and nothing else changes (jobs keep their own enabled state and
 * their anchors).
 */
export interface SchedulerPause {
  since: Date;
  /** Who paused (a user name), if known. */
  by: string | null;
  reason: string | null;
}
