import type { CoordinationLock } from '../coordination/port.js';
import { readJob } from '../coordination/job-cache.js';
import { overlapPolicyOf } from '../model/job-definition.js';
import type { JobDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import type { QueueMessage } from '../queue/port.js';
import type { ClaimAndStartResult } from '../storage/port.js';
import { lazyChild } from '../internal/lazy-logger.js';
import { findTemplateReferences } from '../template/index.js';
import { runClaimed } from './run-claimed.js';
import type { PreOpenedStep } from './run-steps.js';
import type { WorkerRuntime } from './runtime.js';
import { settle } from './settle.js';

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

/** Runs one delivered message: reads what it must, claims, runs, settles, acks or naks. */
export function createMessageRunner(rt: WorkerRuntime): (message: QueueMessage) => Promise<void> {
  const { storage, coordination, logger, settings } = rt;
  const jobOf = (jobId: string): Promise<Job | null> => readJob(storage, coordination, jobId);
  const runWithClaim = createClaimRunner(rt);

  return async (message) => {
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
      if (hinted && overlapPolicyOf(hinted.definition) === 'allow' && (await runWithClaim(message, hinted, id))) return;
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
  };
}

/**
 * Claims and runs the execution as a run of `job`: the claim opens the first step's attempt in the
 * same write when that step has no condition. Returns false, having changed nothing, when the
 * claimed row belongs to another job (a wrong `jobId` hint): the caller then takes the slow
 * path, which reads the execution first.
 */
function createClaimRunner(rt: WorkerRuntime): (message: QueueMessage, job: Job, id: string) => Promise<boolean> {
  const { storage, clock, logger, settings, events } = rt;
  return async (message, job, id) => {
    const def = job.definition;
    const firstStep = def.steps[0];
    const args = { owner: settings.workerId, leaseMs: settings.leaseMs, now: clock.now(), ...claimMode(def) };
    const claiming: Promise<ClaimAndStartResult> = firstStep && !firstStep.condition
      ? storage.claimAndStartStep(id, { ...args, jobId: job.id, stepId: firstStep.id })
      : storage.claimExecution(id, args).then((r) => ({ ...r, step: null }));
    // Independent of the claim, so it runs alongside it; its failure surfaces in runSteps. Asked
    // for after the claim: both leave at the end of this tick in the order they were asked for,
    // and the claim is what the start waits for (docs/architecture.md#one-execution-end-to-end).
    const resolved = rt.variables.resolve(job.id, def.variables, neededVariables(def));
    resolved.catch(() => undefined);
    const claim = await claiming;
    if (!claim.claimed) {
      if (claim.execution && claim.execution.jobId !== job.id) return false;
      if (claim.reason === 'not_available_yet' && claim.execution) await message.nak(Math.max(0, claim.execution.availableAt.getTime() - clock.now().getTime()));
      else if (claim.reason === 'overlap') await message.nak(settings.overlapRetryMs);
      else await message.ack();
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
    const log = lazyChild(logger, { executionId: id, jobId: job.id, jobName: job.name, fencingToken: token });
    events.emit('execution.started', { execution });
    log.debug({ attempt: execution.attempt, triggerSource: execution.triggerSource }, 'execution claimed');
    const first: PreOpenedStep | null = claim.step && firstStep ? { stepId: firstStep.id, ...claim.step } : null;
    const outcome = await runClaimed(rt, job, execution, token, log, message, resolved, first);
    const redeliverInMs = await settle(rt, job, execution, token, outcome, log);
    if (redeliverInMs === null) await message.ack();
    else await message.nak(redeliverInMs);
    return true;
  };
}
