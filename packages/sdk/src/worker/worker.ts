import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import {
  CancelledError, JobTimeoutError, LeaseLostError, ShutdownError, StepTimeoutError, toErrorRecord,
} from '../errors/errors.js';
import { InternalError, ValidationError, VecronError } from '../errors/errors.js';
import { zodIssues } from '../errors/zod-issues.js';
import type { CronEventBus } from '../events.js';
import type { ExecutorRegistry } from '../executor/registry.js';
import { createFileArea, executionFilesDir } from '../files/file-area.js';
import type { Coordination, CoordinationLock } from '../coordination/port.js';
import { readJob } from '../coordination/job-cache.js';
import type { Clock } from '../internal/clock.js';
import type { Execution, ExecutionContext, ExecutionStatus, ErrorRecord } from '../model/execution.js';
import { overlapPolicyOf } from '../model/job-definition.js';
import type { JobDefinition, StepDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import type { Queue, QueueMessage } from '../queue/port.js';
import type { BackoffOptions } from '../reliability/backoff.js';
import { nextFireAfter } from '../schedule/index.js';
import type { Storage } from '../storage/port.js';
import { findTemplateReferences, renderTemplate } from '../template/index.js';
import { createSecretScrubber, scrubDeep } from '../crypto/index.js';
import type { TemplateScope } from '../template/index.js';
import type { ResolvedVariables, VariableResolver } from '../variables/variables.js';
import { decideFailure, toJsonOutput } from './step-outcome.js';
import { DEFAULT_STEP_LOG_SETTINGS, createStepLogWriter } from './step-logs.js';
import type { StepLogSettings, StepLogStats } from './step-logs.js';

/** Settings of the worker role. */
export interface WorkerSettings {
  workerId: string;
  concurrency: number;
  leaseMs: number;
  /** Lease renewal interval. @default min(2000, leaseMs / 3) */
  heartbeatMs?: number;
  backoff: BackoffOptions;
  filesDir: string;
  defaultTimeZone: string;
  /** Delay before retrying a claim that found another run of a non-concurrent job. */
  overlapRetryMs: number;
  /** What is kept of what steps log through `ctx.logger`. @default DEFAULT_STEP_LOG_SETTINGS */
  stepLogs?: StepLogSettings;
}

/** What the worker needs around it. */
export interface WorkerDeps {
  storage: Storage;
  queue: Queue;
  executors: ExecutorRegistry;
  variables: VariableResolver;
  events: CronEventBus;
  clock: Clock;
  logger: Logger;
  settings: WorkerSettings;
  /**
   * Optional coordination: a job-definition cache and a lock per non-concurrent job that saves
   * a database claim while another run holds it. The storage claim stays the guarantee.
   */
  coordination?: Coordination;
}

type Outcome =
  | { kind: 'complete'; status: ExecutionStatus; error: ErrorRecord | null }
  | { kind: 'retry'; delayMs: number; error: ErrorRecord }
  | { kind: 'release' }
  | { kind: 'lost' };

/** The worker role: consumes execution ids, claims, runs steps, persists after each. */
export interface Worker {
  /** Runs until `stop()`; resolves when the consumer loop has ended. */
  start(): Promise<void>;
  /**
   * Stops taking work; in-flight executions get `graceMs` to finish, then their signals abort
   * with `ShutdownError` and their leases are released (they resume elsewhere or on restart).
   */
  stop(graceMs: number): Promise<void>;
  /** Runs one delivered message (exposed for tests and for queue adapters). */
  handle(message: QueueMessage): Promise<void>;
  /** Aborts an execution this worker is running, at once (a cancel requested in this process). */
  cancelLocal(executionId: string): boolean;
  /** Step log lines written and lost by this worker (lost: a failed write or a full buffer). */
  stepLogStats(): StepLogStats;
  /** Writes the step log lines still buffered (also done by `stop`). */
  flushStepLogs(): Promise<void>;
}

/** Creates a worker. */
export function createWorker(deps: WorkerDeps): Worker {
  const { storage, queue, executors, variables, events, clock, logger, settings, coordination } = deps;
  const consumeAbort = new AbortController();
  const shutdown = new AbortController();
  // One listener per execution in flight (up to `concurrency`): not a leak, so no warning.
  setMaxListeners(0, shutdown.signal);
  const inFlight = new Set<Promise<void>>();
  const running = new Map<string, (reason: VecronError) => void>();
  let loop: Promise<void> | null = null;
  const stepLogs = createStepLogWriter({ storage, events, clock, logger, settings: settings.stepLogs ?? DEFAULT_STEP_LOG_SETTINGS });

  async function handle(message: QueueMessage): Promise<void> {
    const p = run(message);
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  }

  const jobOf = (jobId: string): Promise<Job | null> => readJob(storage, coordination, jobId);

  async function run(message: QueueMessage): Promise<void> {
    const id = message.executionId;
    // Fast path: the message names the job, and the job runs concurrently, so the claim itself
    // reads the row (no read before it) and the variables load while the claim is in flight.
    let hinted: Job | null = null;
    if (message.jobId) {
      // A hint that cannot be read (not a job id, say) only costs the fast path; a database that
      // is down fails the slow path below just the same.
      hinted = await jobOf(message.jobId).catch((err: unknown) => {
        logger.debug({ err, executionId: id, hintedJobId: message.jobId }, 'job hint unreadable; reading the execution instead');
        return null;
      });
      if (hinted && overlapPolicyOf(hinted.definition) === 'allow') {
        const handled = await runWithClaim(message, hinted, id);
        if (handled) return;
      }
    }
    const existing = await storage.getExecution(id);
    if (!existing) return message.ack();
    // The hinted job, when it was right (a non-concurrent job), is not read again.
    const job = hinted?.id === existing.jobId ? hinted : await jobOf(existing.jobId);
    if (!job) return message.ack();
    // Fast path for non-concurrent jobs: a lock held elsewhere means "not now" without a claim.
    // Busy → retry later; unavailable (Redis down) → fall through to the exclusive DB claim.
    let jobLock: CoordinationLock | null = null;
    if (coordination && overlapPolicyOf(job.definition) !== 'allow' && existing.status === 'pending') {
      const attempt = await coordination.tryLock(`job:${job.id}`, settings.leaseMs);
      if (attempt.status === 'busy') return message.nak(settings.overlapRetryMs);
      if (attempt.status === 'acquired') jobLock = attempt.lock;
    }
    try {
      await runWithClaim(message, job, id);
    } finally {
      await jobLock?.release();
    }
  }

  /**
   * Claims and runs the execution as a run of `job`. Returns false, having changed nothing, when
   * the claimed row belongs to another job (a wrong `jobId` hint): the caller then takes the
   * slow path, which reads the execution first.
   */
  async function runWithClaim(message: QueueMessage, job: Job, id: string): Promise<boolean> {
    const def = job.definition;
    // Independent of the claim, so it runs alongside it; its failure surfaces in runSteps.
    const resolved = variables.resolve(job.id, def.variables, neededVariables(def));
    resolved.catch(() => undefined);
    const claim = await storage.claimExecution(id, {
      owner: settings.workerId,
      leaseMs: settings.leaseMs,
      now: clock.now(),
      ...claimMode(def),
    });
    if (!claim.claimed) {
      if (claim.execution && claim.execution.jobId !== job.id) return false;
      if (claim.reason === 'not_available_yet' && claim.execution) {
        await message.nak(Math.max(0, claim.execution.availableAt.getTime() - clock.now().getTime()));
        return true;
      }
      if (claim.reason === 'overlap') {
        await message.nak(settings.overlapRetryMs);
        return true;
      }
      await message.ack();
      return true;
    }
    const execution = claim.execution;
    const token = execution.fencingToken!;
    if (execution.jobId !== job.id) {
      // Never run an execution under another job's definition: hand it back untouched.
      logger.warn({ executionId: id, hintedJobId: job.id, jobId: execution.jobId }, 'queue message named the wrong job; claiming again by the execution row');
      await storage.requeueExecution(id, token, { availableAt: clock.now(), incrementAttempt: false, error: null, context: execution.context, now: clock.now() });
      return false;
    }
    const log = logger.child({ executionId: id, jobId: job.id, jobName: job.name, fencingToken: token });
    events.emit('execution.started', { execution });
    log.debug({ attempt: execution.attempt, triggerSource: execution.triggerSource }, 'execution claimed');

    const outcome = await runClaimed(job, execution, token, log, message, resolved);
    const redeliverInMs = await settle(job, execution, token, outcome, log);
    if (redeliverInMs === null) await message.ack();
    else await message.nak(redeliverInMs);
    return true;
  }

  async function runClaimed(job: Job, execution: Execution, token: number, log: Logger, message: QueueMessage, resolved: Promise<ResolvedVariables>): Promise<Outcome> {
    const controller = new AbortController();
    const abort = (reason: VecronError): void => {
      if (!controller.signal.aborted) controller.abort(reason);
    };
    if (execution.status === 'cancelling') return { kind: 'complete', status: 'cancelled', error: new CancelledError('cancelled while no worker held it').toJSON() };

    running.set(execution.id, abort);
    const onShutdown = (): void => abort(new ShutdownError());
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    if (shutdown.signal.aborted) onShutdown();

    const heartbeat = setInterval(() => {
      // Tell the queue we are still on it, so it does not deliver the message to someone else.
      message.inProgress().catch((err: unknown) => log.debug({ err }, 'in-progress signal to the queue failed'));
      storage
        .extendLease(execution.id, token, { leaseMs: settings.leaseMs, now: clock.now() })
        .then((r) => {
          if (!r.ok) abort(new LeaseLostError(execution.id));
          else if (r.cancelRequested) abort(new CancelledError('cancelled by request'));
        })
        .catch((err: unknown) => log.warn({ err }, 'lease extension failed; will retry'));
    }, settings.heartbeatMs ?? heartbeatMs(settings.leaseMs));
    heartbeat.unref();

    let jobTimer: NodeJS.Timeout | undefined;
    const timeoutS = job.definition.timeout_seconds;
    if (timeoutS) {
      const startedAt = (execution.startedAt ?? clock.now()).getTime();
      const remaining = startedAt + timeoutS * 1000 - clock.now().getTime();
      jobTimer = setTimeout(() => abort(new JobTimeoutError(timeoutS * 1000)), Math.max(0, remaining));
      jobTimer.unref();
    }

    try {
      return await runSteps(job, execution, token, controller.signal, log, resolved);
    } catch (err) {
      const reason = controller.signal.aborted ? controller.signal.reason : err;
      return outcomeOfAbort(reason, err);
    } finally {
      running.delete(execution.id);
      clearInterval(heartbeat);
      if (jobTimer) clearTimeout(jobTimer);
      shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  function outcomeOfAbort(reason: unknown, original: unknown): Outcome {
    if (reason instanceof LeaseLostError) return { kind: 'lost' };
    if (reason instanceof ShutdownError) return { kind: 'release' };
    if (reason instanceof JobTimeoutError) return { kind: 'complete', status: 'timeout', error: reason.toJSON() };
    if (reason instanceof CancelledError) return { kind: 'complete', status: 'cancelled', error: reason.toJSON() };
    return { kind: 'complete', status: 'failed', error: toErrorRecord(original) };
  }

  async function runSteps(job: Job, execution: Execution, token: number, signal: AbortSignal, log: Logger, resolved: Promise<ResolvedVariables>): Promise<Outcome> {
    const def: JobDefinition = job.definition;
    const context: ExecutionContext = { ...execution.context, steps: { ...(execution.context.steps ?? {}) } };
    // Every outcome (complete, retry, release on shutdown) writes this same object: never a stale copy.
    execution.context = context;
    const { values: vars, secrets } = await resolved;
    const scrubText = createSecretScrubber(secrets);
    const scrub = (record: ErrorRecord): ErrorRecord => scrubDeep(record, scrubText);
    const files = createFileArea(executionFilesDir(settings.filesDir, job.id, execution.id));
    const scopeBase = {
      variables: vars,
      webhook: context.webhook ?? null,
      ...(context.payload !== undefined ? { payload: context.payload } : context.webhook ? { payload: context.webhook.payload } : {}),
      job_id: job.id,
      execution_id: execution.id,
      execution_date: (execution.startedAt ?? clock.now()).toISOString(),
      scheduled_for: execution.scheduledFor?.toISOString() ?? null,
      timezone: def.schedule?.type === 'cron' ? (def.schedule.timezone ?? settings.defaultTimeZone) : settings.defaultTimeZone,
    };
    const scope = (): TemplateScope => ({
      ...scopeBase,
      steps: Object.fromEntries(Object.entries(context.steps).filter(([, s]) => s.status === 'succeeded').map(([k, s]) => [k, { output: s.output, finished_at: s.finished_at }])),
    });

    for (const [index, step] of def.steps.entries()) {
      if (signal.aborted) throw signal.reason;
      const done = context.steps[step.id];
      if (done && (done.status === 'succeeded' || done.status === 'skipped' || done.status === 'failed')) continue;

      if (step.condition && !truthy(renderTemplate(step.condition, scope(), { basePath: `$.steps[${index}].condition` }))) {
        context.steps[step.id] = { status: 'skipped', attempts: 0, finished_at: clock.now().toISOString() };
        events.emit('execution.step.finished', { executionId: execution.id, jobId: job.id, stepId: step.id, attempt: 0, status: 'skipped' });
        if (!(await storage.saveProgress(execution.id, token, { context, currentStep: step.id }))) return { kind: 'lost' };
        continue;
      }

      // Also records the current step, and refuses with a stale token.
      const opened = await storage.startStepAttempt(execution.id, token, step.id, clock.now());
      if (!opened) return { kind: 'lost' };
      const capture = stepLogs.open({ executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt }, log.child({ stepId: step.id, attempt: opened.attempt }), scrubText);
      const stepLog = capture.logger;
      events.emit('execution.step.started', { executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt });

      try {
        const output = await runStep(step, index, scope(), signal, {
          executionId: execution.id, jobId: job.id, attempt: opened.attempt, files, variables: vars, logger: stepLog,
        });
        context.steps[step.id] = { status: 'succeeded', output, attempts: opened.attempt, finished_at: clock.now().toISOString() };
        if (!(await storage.recordStepSuccess(execution.id, token, { stepId: step.id, attempt: opened.attempt, context, now: clock.now() }))) return { kind: 'lost' };
        events.emit('execution.step.finished', { executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt, status: 'succeeded' });
      } catch (err) {
        // An execution-wide abort (timeout, cancel, shutdown, lost lease) wins over the step's error.
        const cause = signal.aborted ? signal.reason : err;
        // An error message may quote a request or a connection string: never store a secret in clear.
        const record = scrub(toErrorRecord(cause));
        if (signal.aborted) {
          await storage.finishStepAttempt(execution.id, token, { stepId: step.id, attempt: opened.attempt, status: 'failed', error: record, retryDelayMs: null, now: clock.now() });
          throw cause;
        }
        const action = decideFailure({
          error: err,
          previousFailures: opened.previousFailures,
          stepRetryCount: step.retry_count,
          jobMaxRetries: def.max_retries,
          executionAttempt: execution.attempt,
          onFailure: step.on_failure,
          backoff: settings.backoff,
        });
        stepLog.warn({ code: record.code, retryable: record.retryable, action: action.kind }, 'step failed');
        await storage.finishStepAttempt(execution.id, token, {
          stepId: step.id, attempt: opened.attempt, status: 'failed', error: record,
          retryDelayMs: action.kind === 'retry' ? action.delayMs : null, now: clock.now(),
        });
        events.emit('execution.step.finished', { executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt, status: 'failed', error: record });
        if (action.kind === 'retry') {
          context.retry_delays_ms = [...(context.retry_delays_ms ?? []), action.delayMs];
          events.emit('execution.retrying', { executionId: execution.id, jobId: job.id, stepId: step.id, delayMs: action.delayMs, attempt: execution.attempt + 1 });
          return { kind: 'retry', delayMs: action.delayMs, error: record };
        }
        if (action.kind === 'continue') {
          context.steps[step.id] = { status: 'failed', error: record, attempts: opened.attempt, finished_at: clock.now().toISOString() };
          if (!(await storage.saveProgress(execution.id, token, { context, currentStep: step.id }))) return { kind: 'lost' };
          continue;
        }
        context.steps[step.id] = { status: 'failed', error: record, attempts: opened.attempt, finished_at: clock.now().toISOString() };
        return { kind: 'complete', status: action.status, error: record };
      } finally {
        // Starts the write of the attempt's lines without waiting for it: a slow or failing log
        // store never holds up the execution (what is left is written by the next flush or stop).
        void capture.finish();
      }
    }
    return { kind: 'complete', status: 'success', error: null };
  }

  async function runStep(
    step: StepDefinition,
    index: number,
    scope: TemplateScope,
    signal: AbortSignal,
    ids: { executionId: string; jobId: string; attempt: number; files: ReturnType<typeof createFileArea>; variables: Record<string, string>; logger: Logger },
  ): Promise<unknown> {
    const executor = executors.get(step.type);
    // Rendering and parsing are vecron's own code (and the plugin's schema object): a plain
    // exception here is a bug that fails the same way every time, so it is never retried.
    const parsed = internal(`preparing step "${step.id}" (type ${step.type})`, () => {
      const rendered = renderTemplate(step.config, scope, {
        basePath: `$.steps[${index}].config`,
        ...(executor.unrenderedPaths ? { skip: executor.unrenderedPaths } : {}),
      });
      return executor.config.safeParse(rendered);
    });
    if (!parsed.success) {
      throw new ValidationError(`config of step "${step.id}" (type ${step.type})`, zodIssues(parsed.error).map((i) => ({ ...i, path: i.path.replace(/^\$/, `$.steps[${index}].config`) })));
    }
    const timeoutMs = step.timeout_seconds ? step.timeout_seconds * 1000 : undefined;
    const stepController = new AbortController();
    const onParent = (): void => stepController.abort(signal.reason);
    signal.addEventListener('abort', onParent, { once: true });
    // Aborted while the step attempt was being opened: the listener above would never fire.
    if (signal.aborted) onParent();
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs) {
      timer = setTimeout(() => stepController.abort(new StepTimeoutError(step.id, timeoutMs)), timeoutMs);
      timer.unref();
    }
    try {
      const work = executor.execute(parsed.data, {
        executionId: ids.executionId,
        jobId: ids.jobId,
        stepId: step.id,
        attempt: ids.attempt,
        idempotencyKey: `${ids.executionId}:${step.id}`,
        signal: stepController.signal,
        logger: ids.logger,
        files: ids.files,
        variables: Object.freeze({ ...ids.variables }),
        timeoutMs,
      });
      // An executor that ignores its signal must not hold the execution past a timeout or cancel.
      const aborted = new Promise<never>((_, reject) => {
        if (stepController.signal.aborted) reject(stepController.signal.reason);
        stepController.signal.addEventListener('abort', () => reject(stepController.signal.reason), { once: true });
      });
      aborted.catch(() => undefined);
      const output = await Promise.race([work, aborted]);
      return internal(`storing the output of step "${step.id}" (type ${step.type}) as JSON`, () => toJsonOutput(output));
    } finally {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onParent);
    }
  }

  /** Writes the outcome; returns the delay after which the message should be delivered again, or null to ack it. */
  async function settle(job: Job, execution: Execution, token: number, outcome: Outcome, log: Logger): Promise<number | null> {
    const now = clock.now();
    if (outcome.kind === 'lost') {
      log.warn('lease lost; another worker owns this execution now');
      return null;
    }
    if (outcome.kind === 'release') {
      const ok = await storage.requeueExecution(execution.id, token, { availableAt: now, incrementAttempt: false, error: null, context: execution.context, now });
      log.info({ released: ok }, 'execution released on shutdown');
      return ok ? 0 : null;
    }
    if (outcome.kind === 'retry') {
      const availableAt = new Date(now.getTime() + outcome.delayMs);
      const ok = await storage.requeueExecution(execution.id, token, { availableAt, incrementAttempt: true, error: outcome.error, context: execution.context, now });
      if (!ok) return null;
      await storage.markPublished([execution.id], now);
      return outcome.delayMs;
    }
    const ok = await storage.completeExecution(execution.id, token, { status: outcome.status, error: outcome.error, context: execution.context, now });
    if (!ok) {
      log.warn('completion refused: lease lost');
      return null;
    }
    // durationMs: since this execution first started (across hand-backs and retries), as the dashboard shows it.
    log.info({ status: outcome.status, code: outcome.error?.code, durationMs: now.getTime() - (execution.startedAt ?? now).getTime() }, 'execution finished');
    events.emit('execution.finished', { executionId: execution.id, jobId: job.id, status: outcome.status, error: outcome.error });
    const schedule = job.definition.schedule;
    if (schedule?.type === 'fixed_delay' && execution.triggerSource === 'scheduled') {
      const next = nextFireAfter(schedule, now.getTime(), { defaultTimeZone: settings.defaultTimeZone, lastFinishedAt: now.getTime(), anchorMs: now.getTime() });
      await storage.markScheduleFinished(job.id, now, next === null ? null : new Date(next));
    }
    return null;
  }

  return {
    handle,
    cancelLocal(executionId) {
      const abort = running.get(executionId);
      abort?.(new CancelledError('cancelled by request'));
      return abort !== undefined;
    },
    start() {
      loop ??= queue.consume(handle, { concurrency: settings.concurrency, signal: consumeAbort.signal });
      return loop;
    },
    async stop(graceMs) {
      consumeAbort.abort();
      const all = Promise.allSettled([...inFlight]);
      const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([all, timer]);
      shutdown.abort();
      await all;
      await loop;
      await stepLogs.close();
    },
    stepLogStats: () => stepLogs.stats(),
    flushStepLogs: () => stepLogs.flush(),
  };
}

/** The `${NAME}` variables a job's steps reference (cached per definition object). */
const neededByDefinition = new WeakMap<JobDefinition, ReadonlySet<string>>();
function neededVariables(def: JobDefinition): ReadonlySet<string> {
  let needed = neededByDefinition.get(def);
  if (!needed) {
    needed = new Set(findTemplateReferences(def.steps).filter((r) => r.kind === 'variable').map((r) => r.expression));
    neededByDefinition.set(def, needed);
  }
  return needed;
}

/** How a job's overlap policy claims: one at a time (exclusive), and in creation order for the queueing policies. */
function claimMode(def: JobDefinition): { exclusive: boolean; fifo: boolean } {
  const policy = overlapPolicyOf(def);
  return { exclusive: policy !== 'allow', fifo: policy === 'queue_all' || policy === 'queue_one' };
}

/** Heartbeats often enough to keep the lease and to notice a cancel request within ~2 s. */
/** Runs vecron's own step plumbing; a plain exception from it becomes a non-retryable {@link InternalError}. */
function internal<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof VecronError) throw err;
    throw new InternalError(`${what} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

function heartbeatMs(leaseMs: number): number {
  return Math.max(50, Math.min(2_000, Math.floor(leaseMs / 3)));
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0) return false;
  if (typeof v === 'string') return !['', 'false', '0', 'null', 'no'].includes(v.trim().toLowerCase());
  return true;
}
