import type { BusinessCalendar } from '../calendar/calendar.js';
import type { CalendarDefinition } from '../calendar/calendar-schema.js';
import { parseCalendarDefinition } from '../calendar/calendar-schema.js';
import { BUILT_IN_CALENDARS } from '../calendar/built-in-calendars.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import { isUuid } from '../internal/ids.js';
import type { CronEventBus } from '../events.js';
import type { Clock } from '../internal/clock.js';
import type { JobDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import type { Queue } from '../queue/port.js';
import { nextFireAfter, nextPlannedEvent, usesCalendar } from '../schedule/index.js';
import type { PlanContext } from '../schedule/index.js';
import type { Storage } from '../storage/port.js';
import type { Logger } from 'pino';
import { backfillJob } from './backfill.js';
import { createCalendarSource } from './calendar-source.js';
import type { CalendarSource } from './calendar-source.js';
import { explainJob } from './explain.js';

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

/** Creates the scheduling API over storage. */
export function createSchedulingApi(deps: {
  storage: () => Promise<Storage>;
  queue: Queue;
  events: CronEventBus;
  clock: Clock;
  logger: Logger;
  defaultTimeZone: string;
}): SchedulingApi {
  const { storage, clock, defaultTimeZone } = deps;
  let source: CalendarSource | null = null;
  const calendars = async (): Promise<CalendarSource> => (source ??= createCalendarSource(await storage()));
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
  return {
    calendars: calendarsApi(storage, calendars, clock),
    planContext,
    firstEvent: async (def, now) => firstEvent(def, now, defaultTimeZone, planContext),
    calendarNames: async () => (await calendars()).registry(),
    async explain(jobId, { from, n = 10 } = {}) {
      const job = await mustGetJob(jobId);
      const tz = await zoneOf(job.definition, defaultTimeZone, calendars);
      const plan = await planContext(job);
      return explainJob(job, tz, plan, from ?? clock.now(), n);
    },
    async backfill(jobId, { from, to, dryRun = false, limit = 10_000 }) {
      const job = await mustGetJob(jobId);
      return backfillJob(deps, job, () => planContext(job), { from, to, dryRun, limit });
    },
  };
}

/** `calendars` of the scheduling API: the built-in ones are read-only. */
function calendarsApi(storage: () => Promise<Storage>, calendars: () => Promise<CalendarSource>, clock: Clock): SchedulingApi['calendars'] {
  return {
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
  };
}

/** `firstEvent`: the first fire or skip of a definition after `now` (null: none, or not scheduled). */
async function firstEvent(def: JobDefinition, now: Date, defaultTimeZone: string, planContext: SchedulingApi['planContext']): Promise<Date | null> {
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
}

/** The zone a definition's times are shown in: its schedule's, its calendar's, or the default. */
async function zoneOf(def: JobDefinition, defaultTimeZone: string, calendars: () => Promise<CalendarSource>): Promise<string> {
  const s = def.schedule;
  if (s?.type === 'cron' && s.timezone) return s.timezone;
  if (s?.type === 'business_day' && s.timezone) return s.timezone;
  const calName = s && 'calendar' in s ? s.calendar : undefined;
  if (calName) return (await (await calendars()).registry()).get(calName).timezone;
  return defaultTimeZone;
}
