import type { Logger } from 'pino';
import { CancelledError, JobTimeoutError, LeaseLostError, ShutdownError, toErrorRecord } from '../errors/errors.js';
import type { VecronError } from '../errors/errors.js';
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
function startHeartbeat(rt: WorkerRuntime, execution: Execution, token: number, message: QueueMessage, log: Logger, abort: (reason: VecronError) => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    // Tell the queue we are still on it, so it does not deliver the message to someone else.
    message.inProgress().catch((err: unknown) => log.debug({ err }, 'in-progress signal to the queue failed'));
    rt.storage
      .extendLease(execution.id, token, { leaseMs: rt.settings.leaseMs, now: rt.clock.now() })
      .then((r) => {
        if (!r.ok) abort(new LeaseLostError(execution.id));
        else if (r.cancelRequested) abort(new CancelledError('cancelled by request'));
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
  const controller = new ExecutionAbort();
  const abort = (reason: VecronError): void => controller.abort(reason);
  if (execution.status === 'cancelling') return { kind: 'complete', status: 'cancelled', error: new CancelledError('cancelled while no worker held it').toJSON() };

  rt.running.set(execution.id, abort);
  const onShutdown = (): void => abort(new ShutdownError());
  const offShutdown = rt.shutdown.onAbort(onShutdown);
  if (rt.shutdown.aborted) onShutdown();
  const heartbeat = startHeartbeat(rt, execution, token, message, log, abort);

  let jobTimer: NodeJS.Timeout | undefined;
  const timeoutS = job.definition.timeout_seconds;
  if (timeoutS) {
    const startedAt = (execution.startedAt ?? rt.clock.now()).getTime();
    const remaining = startedAt + timeoutS * 1000 - rt.clock.now().getTime();
    jobTimer = setTimeout(() => abort(new JobTimeoutError(timeoutS * 1000)), Math.max(0, remaining));
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
