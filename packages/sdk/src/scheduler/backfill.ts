import type { Logger } from 'pino';
import { uuidV7 } from '../internal/ids.js';
import { ValidationError } from '../errors/errors.js';
import type { ValidationIssue } from '../errors/errors.js';
import type { CronEventBus } from '../events.js';
import type { Clock } from '../internal/clock.js';
import type { Job } from '../model/job.js';
import type { Queue } from '../queue/port.js';
import { planEvents } from '../schedule/index.js';
import type { PlanContext } from '../schedule/index.js';
import type { Storage } from '../storage/port.js';
import { announceCreated } from './announce.js';
import type { BackfillResult } from './scheduling-api.js';

/** What {@link backfillJob} writes with. */
export interface BackfillDeps {
  storage: () => Promise<Storage>;
  queue: Queue;
  events: CronEventBus;
  clock: Clock;
  logger: Logger;
}

/**
 * `backfill` of the scheduling API: the runs `job`'s schedule would have had from `from` to `to`
 * (a dry run lists them), each created with the key a scheduled fire of that instant uses, so a
 * second backfill, or a real run, is never duplicated. See docs/architecture.md, "Schedules and time".
 */
export async function backfillJob(
  deps: BackfillDeps,
  job: Job,
  planContext: () => Promise<PlanContext>,
  { from, to, dryRun, limit }: { from: Date; to: Date; dryRun: boolean; limit: number },
): Promise<BackfillResult> {
  const schedule = job.definition.schedule;
  checkRange(schedule, from, to);
  const events = planEvents(schedule, from.getTime(), to.getTime(), await planContext());
  const fires = events.filter((e) => e.outcome === 'fire');
  if (fires.length > limit) throw new ValidationError('backfill', [{ path: '$.to', message: `the range holds ${fires.length} runs, more than the limit ${limit}; narrow it or raise limit` }]);
  const skipped = events.filter((e) => e.outcome === 'skip').map((e) => ({ nominal: new Date(e.nominal), reason: e.reason }));
  if (dryRun) return { dryRun, runs: fires.map((e) => ({ scheduledFor: new Date(e.at), executionId: null, created: false })), skipped };
  const s = await deps.storage();
  const runs: BackfillResult['runs'] = [];
  for (const e of fires) runs.push(await createRun(deps, s, job.id, new Date(e.at), { from, to }));
  return { dryRun, runs, skipped };
}

/** Throws `ValidationError` unless the job has a fire grid and `from` … `to` is a range of dates. */
function checkRange(schedule: Job['definition']['schedule'], from: Date, to: Date): asserts schedule is NonNullable<Job['definition']['schedule']> {
  const issues: ValidationIssue[] = [];
  if (!schedule) issues.push({ path: '$.schedule', message: 'the job has no schedule to backfill' });
  else if (schedule.type === 'fixed_delay' || schedule.type === 'one_time') issues.push({ path: '$.schedule.type', message: `a ${schedule.type} schedule has no fire grid to backfill` });
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) issues.push({ path: '$.from', message: 'must be a date' });
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) issues.push({ path: '$.to', message: 'must be a date' });
  else if (to < from) issues.push({ path: '$.to', message: 'must not be before from' });
  if (issues.length) throw new ValidationError('backfill', issues);
}

/**
 * One backfilled run at `at`: created (then announced) unless it exists. It writes no ledger row:
 * the fire ledger lists it from the execution (`fired`, reason `backfill` from its trigger source).
 */
async function createRun(deps: BackfillDeps, s: Storage, jobId: string, at: Date, range: { from: Date; to: Date }): Promise<BackfillResult['runs'][number]> {
  const now = deps.clock.now();
  // The same key a scheduled fire of that instant uses: backfill never duplicates a real run.
  const { execution, created } = await s.createExecution(
    { id: uuidV7(), jobId, idempotencyKey: `fire:${at.toISOString()}`, triggerSource: 'backfill', triggerMetadata: { backfill: { from: range.from.toISOString(), to: range.to.toISOString() } }, scheduledFor: at, availableAt: now },
    now,
  );
  if (created) {
    await announceCreated({ storage: s, queue: deps.queue, events: deps.events, logger: deps.logger }, execution, now);
  }
  return { scheduledFor: at, executionId: execution.id, created };
}
