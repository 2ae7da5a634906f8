import type { Logger } from 'pino';
import type { Execution } from '../model/execution.js';
import type { Job } from '../model/job.js';
import { nextFireAfter } from '../schedule/index.js';
import type { Outcome, WorkerRuntime } from './runtime.js';

/** Writes the outcome; returns the delay after which the message should be delivered again, or null to ack it. */
export async function settle(rt: WorkerRuntime, job: Job, execution: Execution, token: number, outcome: Outcome, log: Logger): Promise<number | null> {
  const { storage } = rt;
  const now = rt.clock.now();
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
  const last = outcome.lastStep;
  const ok = last
    ? await storage.completeWithStepSuccess(execution.id, token, { stepId: last.stepId, attempt: last.attempt, context: execution.context, now })
    : await storage.completeExecution(execution.id, token, { status: outcome.status, error: outcome.error, context: execution.context, now });
  if (!ok) {
    log.warn('completion refused: lease lost');
    return null;
  }
  if (last) rt.events.emit('execution.step.finished', { executionId: execution.id, jobId: job.id, stepId: last.stepId, attempt: last.attempt, status: 'succeeded' });
  // durationMs: since this execution first started (across hand-backs and retries), as the dashboard shows it.
  log.info({ status: outcome.status, code: outcome.error?.code, durationMs: now.getTime() - (execution.startedAt ?? now).getTime() }, 'execution finished');
  rt.events.emit('execution.finished', { executionId: execution.id, jobId: job.id, status: outcome.status, error: outcome.error });
  const schedule = job.definition.schedule;
  if (schedule?.type === 'fixed_delay' && execution.triggerSource === 'scheduled') {
    const next = nextFireAfter(schedule, now.getTime(), { defaultTimeZone: rt.settings.defaultTimeZone, lastFinishedAt: now.getTime(), anchorMs: now.getTime() });
    await storage.markScheduleFinished(job.id, now, next === null ? null : new Date(next));
  }
  return null;
}
