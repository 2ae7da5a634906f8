import { randomUUID } from 'node:crypto';
import type { BusinessCalendar } from '../calendar/calendar.js';
import type { CalendarDefinition } from '../calendar/calendar-schema.js';
import { parseCalendarDefinition } from '../calendar/calendar-schema.js';
import { BUILT_IN_CALENDARS } from '../calendar/built-in-calendars.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';
import { isUuid } from '../internal/ids.js';
import type { ValidationIssue } from '../errors/errors.js';
import type { CronEventBus } from '../events.js';
import type { Clock } from '../internal/clock.js';
import { overlapPolicyOf } from '../model/job-definition.js';
import type { JobDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import type { Queue } from '../queue/port.js';
import { cronDialectOf, nextFireAfter, nextPlannedEvent, planEvents, usesCalendar } from '../schedule/index.js';
import type { PlanContext, PlannedEvent } from '../schedule/index.js';
import type { Storage } from '../storage/port.js';
import { offsetAt, toLocalParts } from '../time/zoned.js';
import type { Logger } from 'pino';
import { announceCreated } from './announce.js';
import { createCalendarSource } from './calendar-source.js';
import { jitterFor } from './decide-fires.js';

/** One line of {@link SchedulingApi.explain}. */
export interface ExplainEntry {
  /** When the schedule nominally fires. */
  nominal: Date;
  /** When it actually runs (moved by a shift rule), or null when skipped. */
  runsAt: Date | null;
  /** When the worker may start it (after deterministic jitter), or null when skipped. */
  startsAt: Date | null;
  outcome: 'fire' | 'shifted' | 'skipped';
  reason: string | null;
}

/** What {@link SchedulingApi.explain} returns. */
export interface Explanation {
  job: { id: string; name: string; enabled: boolean };
  timezone: string;
  policies: { overlap: string; catchup: string; jitterSeconds: number };
  entries: ExplainEntry[];
  /** The same, as stable human-readable text (one line per entry). */
  text: string;
}

/** What {@link SchedulingApi.backfill} returns. */
export interface BackfillResult {
  dryRun: boolean;
  /** Every run the range produces (in a dry run: would produce). */
  runs: Array<{ scheduledFor: Date; executionId: string | null; created: boolean }>;
  /** Nominal fires the calendar skips in the range. */
  skipped: Array<{ nominal: Date; reason: string | null }>;
}

/** Calendars, explain and backfill: the scheduling features beyond Quartz. */
export interface SchedulingApi {
  readonly calendars: {
    /** Validates and stores a calendar (visible to every process on the store). */
    define(definition: unknown): Promise<CalendarDefinition>;
    get(name: string): Promise<BusinessCalendar>;
    list(): Promise<string[]>;
    delete(name: string): Promise<boolean>;
  };
  /** The next `n` fires of a job with the shifted and skipped ones between them, and why. */
  explain(jobId: string, options?: { from?: Date; n?: number }): Promise<Explanation>;
  /** Creates the executions a date range would have had (idempotent: a second run adds nothing). */
  backfill(jobId: string, options: { from: Date; to: Date; dryRun?: boolean; limit?: number }): Promise<BackfillResult>;
  /** Plan context for a definition (calendar lookup included). */
  planContext(job: { createdAt: Date }, anchor?: Date): Promise<PlanContext>;
  /** The first schedule event (fire or skip) of a definition after `now`, for storing as next_fire_at. */
  firstEvent(def: JobDefinition, now: Date): Promise<Date | null>;
  /** The calendars a schedule may name, for save-time checks. */
  calendarNames(): Promise<{ has(name: string): boolean; names(): string[] }>;
}

/** One line that says when a schedule fires, for people. */
export function describeSchedule(s: JobDefinition['schedule'], tz: string): string {
  if (!s) return 'none (manual and webhook only)';
  const until = 'end_date' in s && s.end_date ? `, until ${s.end_date}` : '';
  const cal = (s.type === 'cron' || s.type === 'fixed_rate') && s.calendar ? `, business days of calendar ${s.calendar} (${s.calendar_shift ?? 'skip'})` : '';
  switch (s.type) {
    case 'cron':
      return `cron "${s.expression}" (${cronDialectOf(s.expression, s.dialect)}) in ${tz}${cal}${until}`;
    case 'fixed_rate':
      return `every ${s.interval_seconds} s${s.start_at ? ` from ${s.start_at}` : ''}${cal}${until}`;
    case 'fixed_delay':
      return `${s.delay_seconds} s after each run finishes${until}`;
    case 'one_time':
      return `once at ${s.execute_at}`;
    case 'business_day': {
      const nth = s.day > 0 ? `business day ${s.day}` : s.day === -1 ? 'last business day' : `business day ${s.day} (from the end)`;
      return `${nth} of ${s.months ? `months ${s.months.join(', ')}` : 'every month'} at ${s.time} in ${tz}, calendar ${s.calendar}${until}`;
    }
  }
}

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function describeInstant(ms: number, tz: string): string {
  const p = toLocalParts(ms, tz);
  const off = offsetAt(ms, tz) / 60_000;
  const sign = off >= 0 ? '+' : '-';
  const hh = String(Math.floor(Math.abs(off) / 60)).padStart(2, '0');
  const mm = String(Math.abs(off) % 60).padStart(2, '0');
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${WEEKDAY[p.weekday]} ${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${sign}${hh}:${mm}`;
}

/** Creates the scheduling API over storage. */
export function createSchedulingApi(deps: {
  storage: () => Promise<Storage>;
  queue: Queue;
  events: CronEventBus;
  clock: Clock;
  logger: Logger;
  defaultTimeZone: string;
}): SchedulingApi {
  const { storage, queue, clock, defaultTimeZone } = deps;
  const bus = deps.events;
  let source: ReturnType<typeof createCalendarSource> | null = null;
  const calendars = async (): Promise<ReturnType<typeof createCalendarSource>> => (source ??= createCalendarSource(await storage()));

  const planContext = async (job: { createdAt: Date }, anchor?: Date): Promise<PlanContext> => ({
    defaultTimeZone,
    anchorMs: (anchor ?? job.createdAt).getTime(),
    lastFinishedAt: null,
    calendar: await (await calendars()).lookup(),
  });

  const mustGetJob = async (id: string): Promise<Job> => {
    const job = isUuid(id) ? await (await storage()).getJob(id) : null;
    if (!job) throw new NotFoundError('job', id);
    return job;
  };

  const zoneOf = async (def: JobDefinition): Promise<string> => {
    const s = def.schedule;
    if (s?.type === 'cron' && s.timezone) return s.timezone;
    if (s?.type === 'business_day' && s.timezone) return s.timezone;
    const calName = s && 'calendar' in s ? s.calendar : undefined;
    if (calName) return (await (await calendars()).registry()).get(calName).timezone;
    return defaultTimeZone;
  };

  return {
    calendars: {
      async define(definition) {
        const def = parseCalendarDefinition(definition);
        if (def.name in BUILT_IN_CALENDARS) throw new ConflictError(`"${def.name}" is a built-in calendar; extend it instead`);
        // Build it against the current set first, so a bad `extends` never reaches storage.
        const registry = await (await calendars()).registry();
        registry.define(def);
        await (await storage()).putCalendar(def.name, def, clock.now());
        return def;
      },
      async get(name) {
        return (await (await calendars()).registry()).get(name);
      },
      async list() {
        return (await (await calendars()).registry()).names();
      },
      async delete(name) {
        if (name in BUILT_IN_CALENDARS) throw new ConflictError(`"${name}" is a built-in calendar`);
        return (await storage()).deleteCalendar(name);
      },
    },

    planContext,

    async firstEvent(def, now) {
      if (!def.schedule || !def.triggers.scheduled) return null;
      if (!usesCalendar(def.schedule)) {
        // Interval schedules fire at their anchor (creation) first; cron strictly after now.
        const after = def.schedule.type === 'cron' ? now.getTime() : now.getTime() - 1;
        const ms = nextFireAfter(def.schedule, after, { defaultTimeZone, anchorMs: now.getTime(), lastFinishedAt: null });
        // A fixed_delay whose start_at has passed starts now (it has no grid to wait for).
        if (ms === null && def.schedule.type === 'fixed_delay' && (!def.schedule.end_date || Date.parse(def.schedule.end_date) >= now.getTime())) return now;
        return ms === null ? null : new Date(ms);
      }
      const e = nextPlannedEvent(def.schedule, now.getTime(), await planContext({ createdAt: now }));
      return e === null ? null : new Date(e.at);
    },

    async calendarNames() {
      return (await calendars()).registry();
    },

    async explain(jobId, { from, n = 10 } = {}) {
      const job = await mustGetJob(jobId);
      const def = job.definition;
      const tz = await zoneOf(def);
      const ctx = await planContext(job);
      const entries: ExplainEntry[] = [];
      const jitterMs = (def.jitter_seconds ?? 0) * 1000;
      let t = (from ?? clock.now()).getTime();
      let fires = 0;
      while (fires < n && entries.length < n + 1_000) {
        const e: PlannedEvent | null = def.schedule ? nextPlannedEvent(def.schedule, t, ctx) : null;
        if (!e) break;
        if (e.outcome === 'fire') {
          fires++;
          entries.push({
            nominal: new Date(e.nominal), runsAt: new Date(e.at), startsAt: new Date(e.at + jitterFor(job.id, e.at, jitterMs)),
            outcome: e.at === e.nominal ? 'fire' : 'shifted', reason: e.reason,
          });
        } else {
          entries.push({ nominal: new Date(e.nominal), runsAt: null, startsAt: null, outcome: 'skipped', reason: e.reason });
        }
        t = e.at;
      }
      const catchup = def.catchup ? `${def.catchup.policy} (max ${def.catchup.max_catchup}${def.catchup.window_seconds ? `, window ${def.catchup.window_seconds} s` : ''})` : `misfire_policy ${def.misfire_policy}`;
      const policies = { overlap: overlapPolicyOf(def), catchup, jitterSeconds: def.jitter_seconds ?? 0 };
      const header = [
        `job ${job.name} (${job.enabled ? 'enabled' : 'DISABLED: fires are recorded as skipped'})`,
        `schedule: ${describeSchedule(def.schedule, tz)}`,
        `overlap ${policies.overlap}; catch-up ${policies.catchup}${policies.jitterSeconds ? `; jitter < ${policies.jitterSeconds} s` : ''}`,
      ];
      const lines = entries.map((e) => {
        const when = describeInstant(e.nominal.getTime(), tz);
        if (e.outcome === 'fire') return `${when}  runs`;
        if (e.outcome === 'shifted') return `${when}  moved → runs ${describeInstant(e.runsAt!.getTime(), tz)}  (${e.reason})`;
        return `${when}  skipped  (${e.reason})`;
      });
      if (!def.schedule) lines.push('no schedule: manual and webhook triggers only');
      else if (fires < n) lines.push(`schedule ends after ${fires} more fire(s)`);
      return { job: { id: job.id, name: job.name, enabled: job.enabled }, timezone: tz, policies, entries, text: [...header, ...lines].join('\n') };
    },

    async backfill(jobId, { from, to, dryRun = false, limit = 10_000 }) {
      const job = await mustGetJob(jobId);
      const schedule = job.definition.schedule;
      const issues: ValidationIssue[] = [];
      if (!schedule) issues.push({ path: '$.schedule', message: 'the job has no schedule to backfill' });
      else if (schedule.type === 'fixed_delay' || schedule.type === 'one_time') issues.push({ path: '$.schedule.type', message: `a ${schedule.type} schedule has no fire grid to backfill` });
      if (!(from instanceof Date) || Number.isNaN(from.getTime())) issues.push({ path: '$.from', message: 'must be a date' });
      if (!(to instanceof Date) || Number.isNaN(to.getTime())) issues.push({ path: '$.to', message: 'must be a date' });
      else if (to < from) issues.push({ path: '$.to', message: 'must not be before from' });
      if (issues.length) throw new ValidationError('backfill', issues);
      const events = planEvents(schedule, from.getTime(), to.getTime(), await planContext(job));
      const fires = events.filter((e) => e.outcome === 'fire');
      if (fires.length > limit) throw new ValidationError('backfill', [{ path: '$.to', message: `the range holds ${fires.length} runs, more than the limit ${limit}; narrow it or raise limit` }]);
      const skipped = events.filter((e) => e.outcome === 'skip').map((e) => ({ nominal: new Date(e.nominal), reason: e.reason }));
      if (dryRun) return { dryRun, runs: fires.map((e) => ({ scheduledFor: new Date(e.at), executionId: null, created: false })), skipped };
      const s = await storage();
      const runs: BackfillResult['runs'] = [];
      for (const e of fires) {
        const now = clock.now();
        const at = new Date(e.at);
        // The same key a scheduled fire of that instant uses: backfill never duplicates a real run.
        const { execution, created } = await s.createExecution(
          { id: randomUUID(), jobId, idempotencyKey: `fire:${at.toISOString()}`, triggerSource: 'backfill', triggerMetadata: { backfill: { from: from.toISOString(), to: to.toISOString() } }, scheduledFor: at, availableAt: now },
          now,
        );
        if (created) {
          await s.recordLedger({ jobId, fireAt: at, outcome: 'fired', reason: 'backfill', executionId: execution.id, recordedAt: now });
          await announceCreated({ storage: s, queue, events: bus, logger: deps.logger }, execution, now);
        }
        runs.push({ scheduledFor: at, executionId: execution.id, created });
      }
      return { dryRun, runs, skipped };
    },
  };
}
