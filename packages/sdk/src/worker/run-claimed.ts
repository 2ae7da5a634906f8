import type { Logger } from 'pino';
import { CancelledError, JobTimeoutError, LeaseLostError, ShutdownError, toErrorRecord } from '../errors/errors.js';
import type { Execution } from '../model/execution.js';
import type { Job } from '../model/job.js';
import type { QueueMessage } from '../queue/port.js';
import type { ResolvedVariables } from '../variables/variables.js';
import { ExecutionAbort } from './execution-abort.js';
import type { Outcome, WorkerRuntime } from './runtime.js';
import { runSteps } from './run-steps.js';
import type { PreOpenedStep } from './run-steps.js';

/** Heartbeats often enough to keep the lease and to notice a cancel request within ~2 s. */
function heartbeatMs(leaseMs: number): number {
  return Math.max(50, Math.min(2_000, Math.floor(leaseMs / 3)));
}

/** Extends the lease and tells the queue we are still on it, until cleared; aborts on a lost lease or a cancel request. */
function startHeartbeat(rt: WorkerRuntime, execution: Execution, token: number, message: QueueMessage, log: Logger, controller: ExecutionAbort): NodeJS.Timeout {
  const timer = setInterval(() => {
    // Tell the queue we are still on it, so it does not deliver the message to someone else.
    message.inProgress().catch((err: unknown) => log.debug({ err }, 'in-progress signal to the queue failed'));
    rt.storage
      .extendLease(execution.id, token, { leaseMs: rt.settings.leaseMs, now: rt.clock.now() })
      .then((r) => {
        if (!r.ok) controller.abort(new LeaseLostError(execution.id));
        else if (r.cancelRequested) controller.abort(new CancelledError('cancelled by request'));
      })
      .catch((err: unknown) => log.warn({ err }, 'lease extension failed; will retry'));
  }, rt.settings.heartbeatMs ?? heartbeatMs(rt.settings.leaseMs));
  timer.unref();
  return timer;
}

function outcomeOfAbort(reason: unknown, original: unknown): Outcome {
  if (reason instanceof LeaseLostError) return { kind: 'lost' };
  if (reason instanceof ShutdownError) return { kind: 'release' };
  if (reason instanceof JobTimeoutError) return { kind: 'complete', status: 'timeout', error: reason.toJSON() };
  if (reason instanceof CancelledError) return { kind: 'complete', status: 'cancelled', error: reason.toJSON() };
  return { kind: 'complete', status: 'failed', error: toErrorRecord(original) };
}

/** Runs a claimed execution's steps under its heartbeat, job timeout, cancel and shutdown; returns how it ended. */
export async function runClaimed(
  rt: WorkerRuntime, job: Job, execution: Execution, token: number, log: Logger, message: QueueMessage,
  resolved: Promise<ResolvedVariables>, first: PreOpenedStep | null,
): Promise<Outcome> {
  if (execution.status === 'cancelling') return { kind: 'complete', status: 'cancelled', error: new CancelledError('cancelled while no worker held it').toJSON() };
  const controller = new ExecutionAbort();

  // The controller itself is what a cancel, the heartbeat and the timeout abort: no closure per execution for it.
  rt.running.set(execution.id, controller);
  const offShutdown = rt.shutdown.onAbort(() => controller.abort(new ShutdownError()));
  if (rt.shutdown.aborted) controller.abort(new ShutdownError());
  const heartbeat = startHeartbeat(rt, execution, token, message, log, controller);

  let jobTimer: NodeJS.Timeout | undefined;
  const timeoutS = job.definition.timeout_seconds;
  if (timeoutS) {
    const startedAt = (execution.startedAt ?? rt.clock.now()).getTime();
    const remaining = startedAt + timeoutS * 1000 - rt.clock.now().getTime();
    jobTimer = setTimeout(() => controller.abort(new JobTimeoutError(timeoutS * 1000)), Math.max(0, remaining));
    jobTimer.unref();
  }

  try {
    return await runSteps(rt, { job, execution, token, log, signal: controller }, resolved, first);
  } catch (err) {
    const reason = controller.aborted ? controller.reason : err;
    return outcomeOfAbort(reason, err);
  } finally {
    rt.running.delete(execution.id);
    clearInterval(heartbeat);
    if (jobTimer) clearTimeout(jobTimer);
    offShutdown();
  }
}
