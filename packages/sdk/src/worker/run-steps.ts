import type { Logger } from 'pino';
import { toErrorRecord } from '../errors/errors.js';
import { executionFileArea } from '../files/file-area.js';
import type { FileArea } from '../files/file-area.js';
import { lazyChild } from '../internal/lazy-logger.js';
import { createSecretScrubber, scrubDeep } from '../crypto/index.js';
import type { Execution, ExecutionContext, ErrorRecord } from '../model/execution.js';
import type { StepDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import type { OpenedStepAttempt } from '../storage/port.js';
import { renderTemplate } from '../template/index.js';
import type { TemplateScope } from '../template/index.js';
import type { ResolvedVariables } from '../variables/variables.js';
import type { ExecutionAbort } from './execution-abort.js';
import { runStep } from './run-step.js';
import type { Outcome, WorkerRuntime } from './runtime.js';
import { decideFailure } from './step-outcome.js';

/** A claimed execution being run by this worker. */
export interface ClaimedRun {
  job: Job;
  execution: Execution;
  token: number;
  log: Logger;
  /** Aborts on an execution-wide stop: timeout, cancel, shutdown, lost lease. */
  signal: ExecutionAbort;
}

/** The first step's attempt opened with the claim (`claimAndStartStep`). */
export type PreOpenedStep = OpenedStepAttempt & { stepId: string };

/** What the steps of one run share: the context every write saves, the variables, the scrubber, the files. */
interface StepsState {
  context: ExecutionContext;
  vars: Record<string, string>;
  scrubText: (text: string) => string;
  files: FileArea;
  /** The scope without `steps`, which `scopeOf` adds from the context as it is when asked. */
  scopeBase: Omit<TemplateScope, 'steps'>;
}

/** The template scope now: the fixed part, and the outputs of the steps that succeeded so far. */
function scopeOf(state: StepsState): TemplateScope {
  return {
    ...state.scopeBase,
    steps: Object.fromEntries(Object.entries(state.context.steps).filter(([, s]) => s.status === 'succeeded').map(([k, s]) => [k, { output: s.output, finished_at: s.finished_at }])),
  };
}

async function prepare(rt: WorkerRuntime, run: ClaimedRun, resolved: Promise<ResolvedVariables>): Promise<StepsState> {
  const { job, execution } = run;
  const def = job.definition;
  const context: ExecutionContext = { ...execution.context, steps: { ...(execution.context.steps ?? {}) } };
  // Every outcome (complete, retry, release on shutdown) writes this same object: never a stale copy.
  execution.context = context;
  const { values: vars, secrets } = await resolved;
  const scopeBase = {
    variables: vars,
    webhook: context.webhook ?? null,
    ...(context.payload !== undefined ? { payload: context.payload } : context.webhook ? { payload: context.webhook.payload } : {}),
    job_id: job.id,
    execution_id: execution.id,
    execution_date: (execution.startedAt ?? rt.clock.now()).toISOString(),
    scheduled_for: execution.scheduledFor?.toISOString() ?? null,
    timezone: def.schedule?.type === 'cron' ? (def.schedule.timezone ?? rt.settings.defaultTimeZone) : rt.settings.defaultTimeZone,
  };
  return { context, vars, scrubText: createSecretScrubber(secrets), files: executionFileArea(rt.settings.filesDir, job.id, execution.id), scopeBase };
}

/**
 * Runs the steps not already finished in the stored context, persisting after each; the last
 * step's success is left to `settle`, which writes it with the completion. `first`, when the
 * claim opened the first step's attempt, is used instead of opening it again; if the run fails
 * before that step starts, the attempt is closed as failed.
 */
export async function runSteps(rt: WorkerRuntime, run: ClaimedRun, resolved: Promise<ResolvedVariables>, first: PreOpenedStep | null): Promise<Outcome> {
  const pre = { opened: first };
  try {
    const state = await prepare(rt, run, resolved);
    const steps = run.job.definition.steps;
    for (const [index, step] of steps.entries()) {
      if (run.signal.aborted) throw run.signal.reason;
      const done = state.context.steps[step.id];
      if (done && (done.status === 'succeeded' || done.status === 'skipped' || done.status === 'failed')) continue;
      if (step.condition && !truthy(renderTemplate(step.condition, scopeOf(state), { basePath: `$.steps[${index}].condition` }))) {
        state.context.steps[step.id] = { status: 'skipped', attempts: 0, finished_at: rt.clock.now().toISOString() };
        rt.events.emit('execution.step.finished', { executionId: run.execution.id, jobId: run.job.id, stepId: step.id, attempt: 0, status: 'skipped' });
        if (!(await rt.storage.saveProgress(run.execution.id, run.token, { context: state.context, currentStep: step.id }))) return { kind: 'lost' };
        continue;
      }
      // Also records the current step, and refuses with a stale token.
      const opened = pre.opened?.stepId === step.id ? pre.opened : await rt.storage.startStepAttempt(run.execution.id, run.token, step.id, rt.clock.now());
      pre.opened = null;
      if (!opened) return { kind: 'lost' };
      const outcome = await runOneStep(rt, run, state, step, index, opened, index === steps.length - 1);
      if (outcome) return outcome;
    }
    return { kind: 'complete', status: 'success', error: null };
  } catch (err) {
    if (pre.opened) {
      const record = toErrorRecord(run.signal.aborted ? run.signal.reason : err);
      await rt.storage.finishStepAttempt(run.execution.id, run.token, { stepId: pre.opened.stepId, attempt: pre.opened.attempt, status: 'failed', error: record, retryDelayMs: null, now: rt.clock.now() });
    }
    throw err;
  }
}

/** Runs one opened step attempt; null to go on with the next step, else how the run ends. */
async function runOneStep(rt: WorkerRuntime, run: ClaimedRun, state: StepsState, step: StepDefinition, index: number, opened: OpenedStepAttempt, last: boolean): Promise<Outcome | null> {
  const { execution, job } = run;
  const capture = rt.stepLogs.open({ executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt }, lazyChild(run.log, { stepId: step.id, attempt: opened.attempt }), state.scrubText);
  rt.events.emit('execution.step.started', { executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt });
  try {
    const output = await runStep(rt.executors, step, index, scopeOf(state), run.signal, {
      executionId: execution.id, jobId: job.id, attempt: opened.attempt, files: state.files, variables: state.vars, logger: capture.logger,
    });
    state.context.steps[step.id] = { status: 'succeeded', output, attempts: opened.attempt, finished_at: rt.clock.now().toISOString() };
    // The last step's success commits with the completion (settle): one write instead of two.
    if (last) return { kind: 'complete', status: 'success', error: null, lastStep: { stepId: step.id, attempt: opened.attempt } };
    if (!(await rt.storage.recordStepSuccess(execution.id, run.token, { stepId: step.id, attempt: opened.attempt, context: state.context, now: rt.clock.now() }))) return { kind: 'lost' };
    rt.events.emit('execution.step.finished', { executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt, status: 'succeeded' });
    return null;
  } catch (err) {
    return await onStepFailure(rt, run, state, step, opened, err, capture.logger);
  } finally {
    // Starts the write of the attempt's lines without waiting for it: a slow or failing log
    // store never holds up the execution (what is left is written by the next flush or stop).
    void capture.finish();
  }
}

/** A step attempt failed: close it, then retry the execution, continue, or finish it (an execution-wide abort rethrows). */
async function onStepFailure(rt: WorkerRuntime, run: ClaimedRun, state: StepsState, step: StepDefinition, opened: OpenedStepAttempt, err: unknown, stepLog: Logger): Promise<Outcome | null> {
  const { execution, job, signal } = run;
  // An execution-wide abort (timeout, cancel, shutdown, lost lease) wins over the step's error.
  const cause = signal.aborted ? signal.reason : err;
  // An error message may quote a request or a connection string: never store a secret in clear.
  const record: ErrorRecord = scrubDeep(toErrorRecord(cause), state.scrubText);
  const close = (retryDelayMs: number | null): Promise<boolean> =>
    rt.storage.finishStepAttempt(execution.id, run.token, { stepId: step.id, attempt: opened.attempt, status: 'failed', error: record, retryDelayMs, now: rt.clock.now() });
  if (signal.aborted) {
    await close(null);
    throw cause;
  }
  const action = decideFailure({
    error: err, previousFailures: opened.previousFailures, stepRetryCount: step.retry_count, jobMaxRetries: job.definition.max_retries,
    executionAttempt: execution.attempt, onFailure: step.on_failure, backoff: rt.settings.backoff,
  });
  stepLog.warn({ code: record.code, retryable: record.retryable, action: action.kind }, 'step failed');
  await close(action.kind === 'retry' ? action.delayMs : null);
  rt.events.emit('execution.step.finished', { executionId: execution.id, jobId: job.id, stepId: step.id, attempt: opened.attempt, status: 'failed', error: record });
  if (action.kind === 'retry') {
    state.context.retry_delays_ms = [...(state.context.retry_delays_ms ?? []), action.delayMs];
    rt.events.emit('execution.retrying', { executionId: execution.id, jobId: job.id, stepId: step.id, delayMs: action.delayMs, attempt: execution.attempt + 1 });
    return { kind: 'retry', delayMs: action.delayMs, error: record };
  }
  state.context.steps[step.id] = { status: 'failed', error: record, attempts: opened.attempt, finished_at: rt.clock.now().toISOString() };
  if (action.kind === 'continue') {
    return (await rt.storage.saveProgress(execution.id, run.token, { context: state.context, currentStep: step.id })) ? null : { kind: 'lost' };
  }
  return { kind: 'complete', status: action.status, error: record };
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0) return false;
  if (typeof v === 'string') return !['', 'false', '0', 'null', 'no'].includes(v.trim().toLowerCase());
  return true;
}
