import { randomUUID } from 'node:crypto';
import { jobCacheKey } from '../coordination/job-cache.js';
import { NotFoundError, ValidationError } from '../errors/errors.js';
import type { AnyExecutor } from '../executor/executor.js';
import { isUuid } from '../internal/ids.js';
import type { JobDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import { validateJobDefinition } from '../model/validate-job.js';
import type { JobValidationResult } from '../model/validate-job.js';
import { nextFireTimes, usesCalendar } from '../schedule/index.js';
import type { CronSystem } from '../create-cron-system.js';
import type { SystemContext } from './context.js';

/** `cron.jobs`: validated create and update, reads, enable / disable, preview (see docs/architecture.md). */
export function createJobsApi<E extends AnyExecutor>(ctx: SystemContext): CronSystem<E>['jobs'] {
  const { storage, coordination, clock, opts, scheduling } = ctx;
  const createJob = async (input: unknown): Promise<Job> => {
    const def = await validateForSave(ctx, input);
    const now = clock.now();
    return (await storage()).createJob({ id: randomUUID(), definition: def, now, anchorAt: now, nextFireAt: await scheduling.firstEvent(def, now) });
  };
  const updateJob = async (id: string, input: unknown): Promise<Job> => {
    const existing = await mustGetJob(ctx, id);
    const job = await replaceDefinition(ctx, existing, await validateForSave(ctx, input, existing));
    await coordination.invalidate(jobCacheKey(id));
    return job;
  };
  const setEnabled = async (id: string, enabled: boolean): Promise<Job> => {
    const job = await mustGetJob(ctx, id);
    const updated = await replaceDefinition(ctx, job, { ...job.definition, enabled });
    await coordination.invalidate(jobCacheKey(id));
    return updated;
  };
  return {
    create: createJob,
    createFromJson: createJob,
    update: updateJob,
    updateFromJson: updateJob,
    validate: (input, { jobId } = {}) => checkDefinition(ctx, input, jobId),
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
    enable: (id) => setEnabled(id, true),
    disable: (id) => setEnabled(id, false),
    async preview(id, n) {
      const job = await mustGetJob(ctx, id);
      if (!usesCalendar(job.definition.schedule)) {
        return nextFireTimes(job.definition.schedule, clock.now(), n, { timeZone: opts.timezone, anchorMs: job.createdAt.getTime() });
      }
      const { entries } = await scheduling.explain(id, { n });
      return entries.filter((e) => e.runsAt !== null).map((e) => e.runsAt!);
    },
  };
}

/** The one validation (validateJobDefinition) with what only a running system knows: calendars and stored variables. */
async function checkDefinition(ctx: SystemContext, input: unknown, jobId?: string): Promise<JobValidationResult> {
  const s = await ctx.storage();
  const scopes = jobId && isUuid(jobId) ? ['', jobId] : [''];
  const [calendars, stored] = await Promise.all([ctx.scheduling.calendarNames(), s.listVariables(scopes)]);
  return validateJobDefinition(input, { executors: ctx.opts.executors, calendars, variables: new Set(stored.map((v) => v.name)) });
}

/** A definition ready to store: valid (or `ValidationError`), warnings logged, cron zone fixed. */
async function validateForSave(ctx: SystemContext, input: unknown, existing?: Job): Promise<JobDefinition> {
  const result = await checkDefinition(ctx, input, existing?.id);
  if (!result.valid || !result.definition) throw new ValidationError('job definition', result.issues);
  if (result.warnings.length) ctx.logger.warn({ warnings: result.warnings }, 'job definition saved with warnings');
  return withStoredTimeZone(result.definition, existing?.definition, ctx.opts.timezone);
}

/** The stored job, or `NotFoundError`. */
async function mustGetJob(ctx: SystemContext, id: string): Promise<Job> {
  const job = isUuid(id) ? await (await ctx.storage()).getJob(id) : null;
  if (!job) throw new NotFoundError('job', id);
  return job;
}

/** Stores a new definition of `job`, recomputing its next fire only when when-it-runs changed. */
async function replaceDefinition(ctx: SystemContext, job: Job, def: JobDefinition): Promise<Job> {
  const now = ctx.clock.now();
  const scheduleChanged = JSON.stringify(def.schedule) !== JSON.stringify(job.definition.schedule);
  const turnedOn = def.enabled && !job.enabled;
  const recompute = scheduleChanged || turnedOn || def.triggers.scheduled !== job.definition.triggers.scheduled;
  // When nothing about when the job runs changed, its stored next fire stays as it is.
  // Disabled jobs keep their schedule so the ledger records their fires as skipped (disabled).
  return (await ctx.storage()).updateJob(job.id, {
    definition: def,
    now,
    ...(recompute ? { nextFireAt: await ctx.scheduling.firstEvent(def, now) } : {}),
    resetAnchor: scheduleChanged || turnedOn,
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
